"""The browser presets: the names this build offers, what each sends, and custom presets
registered from JSON for this process.

``Preset`` holds the built-in names as constants, as the other bindings offer them
(``httpcloak.Session(preset=httpcloak.Preset.FIREFOX_LATEST)``); ``available_presets()`` is
the live list, custom presets included. A preset document (docs/fingerprints.md) is
validated strictly by the engine: unknown fields, malformed ``ja3`` / ``akamai`` strings,
unknown ``extra_fp`` keys and built-in names are refused with ``InvalidArgument``. A
registered preset is listed by ``available_presets()`` and ``describe_preset()``; sessions
created with its name use it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from . import _abi
from ._exceptions import InvalidArgument
from ._upstream_presets import describe, from_upstream, is_upstream


class Preset:
    """The built-in presets; the *_LATEST names follow the newest one shipped. A name
    without a platform is the Linux desktop browser, as in the other bindings."""

    ANDROID_CHROME_LATEST: Final = "android-chrome-latest"
    CHROME_LATEST: Final = "chrome-latest"
    CHROME_LATEST_ANDROID: Final = "chrome-latest-android"
    CHROME_LATEST_IOS: Final = "chrome-latest-ios"
    CHROME_LATEST_LINUX: Final = "chrome-latest-linux"
    CHROME_LATEST_MACOS: Final = "chrome-latest-macos"
    CHROME_LATEST_WINDOWS: Final = "chrome-latest-windows"
    IOS_CHROME_LATEST: Final = "ios-chrome-latest"

    CHROME_156: Final = "chrome-156"
    CHROME_156_ANDROID: Final = "chrome-156-android"
    CHROME_156_LINUX: Final = "chrome-156-linux"
    CHROME_156_MACOS: Final = "chrome-156-macos"
    CHROME_156_WINDOWS: Final = "chrome-156-windows"

    CHROME_155: Final = "chrome-155"
    CHROME_155_ANDROID: Final = "chrome-155-android"
    CHROME_155_IOS: Final = "chrome-155-ios"
    CHROME_155_LINUX: Final = "chrome-155-linux"
    CHROME_155_MACOS: Final = "chrome-155-macos"
    CHROME_155_WINDOWS: Final = "chrome-155-windows"

    CHROME_154: Final = "chrome-154"
    CHROME_154_ANDROID: Final = "chrome-154-android"
    CHROME_154_LINUX: Final = "chrome-154-linux"
    CHROME_154_MACOS: Final = "chrome-154-macos"
    CHROME_154_WINDOWS: Final = "chrome-154-windows"

    CHROME_153: Final = "chrome-153"
    CHROME_153_ANDROID: Final = "chrome-153-android"
    CHROME_153_LINUX: Final = "chrome-153-linux"
    CHROME_153_MACOS: Final = "chrome-153-macos"
    CHROME_153_WINDOWS: Final = "chrome-153-windows"

    CHROME_152: Final = "chrome-152"
    CHROME_152_ANDROID: Final = "chrome-152-android"
    CHROME_152_IOS: Final = "chrome-152-ios"
    CHROME_152_LINUX: Final = "chrome-152-linux"
    CHROME_152_MACOS: Final = "chrome-152-macos"
    CHROME_152_WINDOWS: Final = "chrome-152-windows"

    CHROME_151: Final = "chrome-151"
    CHROME_151_ANDROID: Final = "chrome-151-android"
    CHROME_151_IOS: Final = "chrome-151-ios"
    CHROME_151_LINUX: Final = "chrome-151-linux"
    CHROME_151_MACOS: Final = "chrome-151-macos"
    CHROME_151_WINDOWS: Final = "chrome-151-windows"

    CHROME_150: Final = "chrome-150"
    CHROME_150_ANDROID: Final = "chrome-150-android"
    CHROME_150_IOS: Final = "chrome-150-ios"
    CHROME_150_LINUX: Final = "chrome-150-linux"
    CHROME_150_MACOS: Final = "chrome-150-macos"
    CHROME_150_WINDOWS: Final = "chrome-150-windows"

    CHROME_149: Final = "chrome-149"
    CHROME_149_LINUX: Final = "chrome-149-linux"
    CHROME_149_MACOS: Final = "chrome-149-macos"
    CHROME_149_WINDOWS: Final = "chrome-149-windows"

    ANDROID_CHROME_148: Final = "android-chrome-148"
    CHROME_148: Final = "chrome-148"
    CHROME_148_ANDROID: Final = "chrome-148-android"
    CHROME_148_IOS: Final = "chrome-148-ios"
    CHROME_148_LINUX: Final = "chrome-148-linux"
    CHROME_148_MACOS: Final = "chrome-148-macos"
    CHROME_148_WINDOWS: Final = "chrome-148-windows"
    IOS_CHROME_148: Final = "ios-chrome-148"

    ANDROID_CHROME_147: Final = "android-chrome-147"
    CHROME_147: Final = "chrome-147"
    CHROME_147_ANDROID: Final = "chrome-147-android"
    CHROME_147_IOS: Final = "chrome-147-ios"
    CHROME_147_LINUX: Final = "chrome-147-linux"
    CHROME_147_MACOS: Final = "chrome-147-macos"
    CHROME_147_WINDOWS: Final = "chrome-147-windows"
    IOS_CHROME_147: Final = "ios-chrome-147"

    ANDROID_CHROME_146: Final = "android-chrome-146"
    CHROME_146: Final = "chrome-146"
    CHROME_146_ANDROID: Final = "chrome-146-android"
    CHROME_146_IOS: Final = "chrome-146-ios"
    CHROME_146_LINUX: Final = "chrome-146-linux"
    CHROME_146_MACOS: Final = "chrome-146-macos"
    CHROME_146_WINDOWS: Final = "chrome-146-windows"
    IOS_CHROME_146: Final = "ios-chrome-146"

    ANDROID_CHROME_145: Final = "android-chrome-145"
    CHROME_145: Final = "chrome-145"
    CHROME_145_ANDROID: Final = "chrome-145-android"
    CHROME_145_IOS: Final = "chrome-145-ios"
    CHROME_145_LINUX: Final = "chrome-145-linux"
    CHROME_145_MACOS: Final = "chrome-145-macos"
    CHROME_145_WINDOWS: Final = "chrome-145-windows"
    IOS_CHROME_145: Final = "ios-chrome-145"

    ANDROID_CHROME_144: Final = "android-chrome-144"
    CHROME_144: Final = "chrome-144"
    CHROME_144_ANDROID: Final = "chrome-144-android"
    CHROME_144_IOS: Final = "chrome-144-ios"
    CHROME_144_LINUX: Final = "chrome-144-linux"
    CHROME_144_MACOS: Final = "chrome-144-macos"
    CHROME_144_WINDOWS: Final = "chrome-144-windows"
    IOS_CHROME_144: Final = "ios-chrome-144"

    ANDROID_CHROME_143: Final = "android-chrome-143"
    CHROME_143: Final = "chrome-143"
    CHROME_143_ANDROID: Final = "chrome-143-android"
    CHROME_143_IOS: Final = "chrome-143-ios"
    CHROME_143_LINUX: Final = "chrome-143-linux"
    CHROME_143_MACOS: Final = "chrome-143-macos"
    CHROME_143_WINDOWS: Final = "chrome-143-windows"
    IOS_CHROME_143: Final = "ios-chrome-143"

    CHROME_141: Final = "chrome-141"

    CHROME_133: Final = "chrome-133"

    CHROME_131: Final = "chrome-131"

    CHROME_124: Final = "chrome-124"

    FIREFOX_LATEST: Final = "firefox-latest"
    FIREFOX_LATEST_LINUX: Final = "firefox-latest-linux"
    FIREFOX_LATEST_MACOS: Final = "firefox-latest-macos"
    FIREFOX_LATEST_WINDOWS: Final = "firefox-latest-windows"

    FIREFOX_153: Final = "firefox-153"
    FIREFOX_153_LINUX: Final = "firefox-153-linux"
    FIREFOX_153_MACOS: Final = "firefox-153-macos"
    FIREFOX_153_WINDOWS: Final = "firefox-153-windows"

    FIREFOX_148: Final = "firefox-148"
    FIREFOX_148_LINUX: Final = "firefox-148-linux"
    FIREFOX_148_MACOS: Final = "firefox-148-macos"
    FIREFOX_148_WINDOWS: Final = "firefox-148-windows"

    FIREFOX_135: Final = "firefox-135"

    FIREFOX_133: Final = "firefox-133"
    FIREFOX_133_LINUX: Final = "firefox-133-linux"
    FIREFOX_133_MACOS: Final = "firefox-133-macos"
    FIREFOX_133_WINDOWS: Final = "firefox-133-windows"

    IOS_SAFARI_LATEST: Final = "ios-safari-latest"
    SAFARI_LATEST: Final = "safari-latest"
    SAFARI_LATEST_IOS: Final = "safari-latest-ios"

    IOS_SAFARI_18: Final = "ios-safari-18"
    SAFARI_18: Final = "safari-18"
    SAFARI_18_IOS: Final = "safari-18-ios"
    SAFARI_IOS_18: Final = "safari-ios-18"

    IOS_SAFARI_17: Final = "ios-safari-17"
    SAFARI_17_IOS: Final = "safari-17-ios"

    SAFARI_16: Final = "safari-16"

    @classmethod
    def all(cls) -> list[str]:
        """Every constant's value, newest browsers first."""
        return [value for name, value in vars(cls).items() if name.isupper()]


@dataclass(frozen=True)
class PresetInfo:
    name: str
    alias_of: str | None  # the preset this name stands for, if it is an alias
    engine_profile: str  # the engine's TLS / HTTP/2 profile
    headers: list[tuple[str, str]]  # what a navigation sends, in the browser's order
    browser: str = ""  # "Chrome", "Chrome (iOS)", "Firefox", "Safari" (custom: its base's)
    version: str = ""  # the browser's major version
    platform: str = ""  # "windows", "macos", "linux", "android" or "ios"
    source: str = ""  # "captured" here, "published" JA4, or "derived" (docs/fingerprints.md)
    custom: bool = False  # registered at run time (load_preset / load_preset_from_json)
    based_on: str | None = None  # custom presets: the preset it was built on
    ja3: str | None = None  # custom presets: their own TLS fingerprint, if any
    akamai: str | None = None  # custom presets: their own HTTP/2 fingerprint, if any
    extra_fp: dict[str, Any] | None = None
    disable_http3: bool = False


def presets() -> list[PresetInfo]:
    return [
        PresetInfo(
            name=p["name"],
            alias_of=p.get("alias_of"),
            engine_profile=p["engine_profile"],
            headers=[(n, v) for n, v in p["headers"]],
            browser=p["browser"],
            version=p["version"],
            platform=p["platform"],
            source=p["source"],
            custom=p.get("custom", False),
            based_on=p.get("based_on"),
            ja3=p.get("ja3"),
            akamai=p.get("akamai"),
            extra_fp=p.get("extra_fp"),
            disable_http3=p.get("disable_http3", False),
        )
        for p in _abi.presets()
    ]


def preset_names() -> list[str]:
    """Names accepted by Session(preset=...), aliases included."""
    return [p.name for p in presets()]


def available_presets() -> dict[str, dict[str, list[str]]]:
    """Upstream's shape: each name accepted by Session(preset=...), aliases included, with
    the protocols it can speak (``{"chrome-latest": {"protocols": ["h1", "h2", "h3"]}}``).
    Iterating it gives the names; preset_names() is the plain list."""
    return {p.name: {"protocols": _protocols(p)} for p in presets()}


def _protocols(p: PresetInfo) -> list[str]:
    # HTTP/3 takes no custom TLS or HTTP/2 fingerprint (fingerprint.ResolveProfile).
    custom_wire = p.custom and (p.ja3 or p.akamai or p.extra_fp)
    return ["h1", "h2"] if p.disable_http3 or custom_wire else ["h1", "h2", "h3"]


def preset_info(name: str) -> PresetInfo:
    """What a name stands for: alias, engine profile, headers in order, browser, version,
    platform, source, and a custom preset's own fields."""
    for preset in presets():
        if preset.name == name:
            return preset
    raise InvalidArgument(f"unknown preset {name!r}; available: {', '.join(preset_names())}")


def describe_preset(name: str) -> str:
    """Upstream's shape: the preset as a JSON document ``{"version": 1, "preset": {...}}``
    (its base, TLS hello or JA3, HTTP/2 header order, headers, protocols) that
    load_preset_from_json takes back, edited, under another name. preset_info() gives the
    same as a PresetInfo."""
    return describe(preset_info(name))


def load_preset(path: str | os.PathLike[str]) -> str:
    """Register the preset in the JSON file at ``path`` (ours or upstream's schema); returns
    its name."""
    return load_preset_from_json(Path(path).read_text(encoding="utf-8"))


def load_preset_from_json(json_data: str) -> str:
    """Register the preset described by ``json_data``; returns its name. Both this package's
    document (docs/fingerprints.md) and upstream's ``{"version": 1, "preset": {...}}`` are
    taken (what upstream's asks that this engine cannot apply is named in an
    UpstreamPresetWarning).

    A custom preset of the same name is replaced (sessions already open keep the old one)."""
    if not isinstance(json_data, str):
        raise TypeError(f"json_data must be a str, not {type(json_data).__name__}")
    try:
        document = json.loads(json_data)
    except (ValueError, RecursionError):
        document = None  # the engine's decoder says what is wrong, as for any document
    if is_upstream(document):
        if "pool" in document:
            raise InvalidArgument("this is a preset pool: load it with PresetPool(path)")
        return register_document(from_upstream(document, preset_info))
    return _abi.preset_register(json_data)


def register_document(document: dict[str, Any]) -> str:
    """Register one preset document (ours); its name."""
    return _abi.preset_register(json.dumps(document))


def unregister_preset(name: str) -> None:
    """Forget a custom preset: new sessions can no longer use it; open ones keep it.

    Built-in names and names never registered raise ``InvalidArgument``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    _abi.preset_unregister(name)
