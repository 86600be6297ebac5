"""The version scheme (README, Platforms: "Versions"): our own semver, declared in
pyproject.toml and httpcloak.__version__ alike; the upstream binding release whose names we
follow is the one docs/parity.md checked."""

from __future__ import annotations

import re

import httpcloak

from servers import SOURCE_ROOT

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def _declared_version() -> str:
    project = (SOURCE_ROOT / "pyproject.toml").read_text()
    found = re.search(r'^version = "([^"]+)"', project, re.MULTILINE)
    assert found is not None, "pyproject.toml declares no [project] version"
    return found.group(1)


def test_the_version_is_one_semver_declared_twice_alike() -> None:
    assert _declared_version() == httpcloak.__version__ == httpcloak.version()
    assert SEMVER.fullmatch(httpcloak.__version__), httpcloak.__version__


def test_the_readme_names_the_upstream_release_parity_checked() -> None:
    parity = (SOURCE_ROOT / "docs" / "parity.md").read_text()
    checked = re.search(r"upstream Python binding \((\d+\.\d+\.\d+) checked\)", parity)
    assert checked is not None, "docs/parity.md no longer says which upstream release it checked"
    readme = (SOURCE_ROOT / "README.md").read_text()
    versions = readme[readme.index("**Versions.**") :]
    assert f"follow upstream httpcloak {checked.group(1)}" in versions
