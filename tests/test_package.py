"""What the wheel ships: the package alone, which never builds anything."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import httpcloak

PACKAGE = Path(httpcloak.__file__).resolve().parent


def test_nothing_in_the_package_builds_go() -> None:
    # The wheel has no Go source: the test server's launcher lives in tests/servers.py.
    assert importlib.util.find_spec("httpcloak.testing") is None
    building = re.compile(r"^\s*(?:import|from)\s+build_go\b|[\[(]\s*['\"]go['\"]\s*,", re.M)
    assert [p.name for p in sorted(PACKAGE.rglob("*.py")) if building.search(p.read_text())] == []
