"""Custom presets from JSON: register, replace and unregister them for this process.

A preset document (docs/fingerprints.md) is validated strictly by the engine: unknown
fields, malformed ``ja3`` / ``akamai`` strings, unknown ``extra_fp`` keys and built-in
names are refused with ``InvalidArgument``. A registered preset is listed by
``available_presets()`` and ``describe_preset()``; sessions created with its name use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import _abi


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
