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

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from . import _abi
from ._exceptions import InvalidArgument


class Preset:
    """The built-in presets; the *_LATEST names follow the newest one shipped."""

    CHROME_LATEST: Final = "chrome-latest"
    CHROME_151: Final = "chrome-151"
    CHROME_133: Final = "chrome-133"
    CHROME_131: Final = "chrome-131"
    CHROME_124: Final = "chrome-124"
    FIREFOX_LATEST: Final = "firefox-latest"
    FIREFOX_148: Final = "firefox-148"
    FIREFOX_135: Final = "firefox-135"
    FIREFOX_133: Final = "firefox-133"
    SAFARI_LATEST: Final = "safari-latest"
    SAFARI_16: Final = "safari-16"
    SAFARI_IOS_18: Final = "safari-ios-18"

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
            custom=p.get("custom", False),
            based_on=p.get("based_on"),
            ja3=p.get("ja3"),
            akamai=p.get("akamai"),
            extra_fp=p.get("extra_fp"),
            disable_http3=p.get("disable_http3", False),
        )
        for p in _abi.presets()
    ]


def available_presets() -> list[str]:
    """Names accepted by Session(preset=...), aliases included."""
    return [p.name for p in presets()]


def describe_preset(name: str) -> PresetInfo:
    for preset in presets():
        if preset.name == name:
            return preset
    raise InvalidArgument(f"unknown preset {name!r}; available: {', '.join(available_presets())}")


def load_preset(path: str | os.PathLike[str]) -> str:
    """Register the preset in the JSON file at ``path``; returns its name."""
    return load_preset_from_json(Path(path).read_text(encoding="utf-8"))


def load_preset_from_json(json_data: str) -> str:
    """Register the preset described by ``json_data``; returns its name.

    A custom preset of the same name is replaced (sessions already open keep the old one)."""
    if not isinstance(json_data, str):
        raise TypeError(f"json_data must be a str, not {type(json_data).__name__}")
    return _abi.preset_register(json_data)


def unregister_preset(name: str) -> None:
    """Forget a custom preset: new sessions can no longer use it; open ones keep it.

    Built-in names and names never registered raise ``InvalidArgument``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    _abi.preset_unregister(name)
