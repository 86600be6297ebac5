"""The browser presets this build offers, and what each sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _abi


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
    from ._exceptions import InvalidArgument

    raise InvalidArgument(f"unknown preset {name!r}; available: {', '.join(available_presets())}")
