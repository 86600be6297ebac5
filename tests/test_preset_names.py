"""Every preset name the other httpcloak bindings accept works here and sends what its name
promises (issue #13): the browser version in the User-Agent and in sec-ch-ua with that
version's GREASE brand, the platform (-windows / -macos / -linux, no suffix = Linux desktop
as upstream 1.7.3; -android / android- = Chrome on Android: mobile client hints over
desktop Chrome's TLS; -ios / ios-chrome- = Chrome on iOS: CriOS over Safari's TLS and
HTTP/2), Safari on iPhone and on macOS. The names are upstream's list
(tests/fixtures/upstream-preset-names.txt); the server sees the requests."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import httpcloak

from servers import TestServer

NAMES_FILE = Path(__file__).parent / "fixtures" / "upstream-preset-names.txt"
UPSTREAM_NAMES = [
    line.strip()
    for line in NAMES_FILE.read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
# This package's names from before, which keep working.
OUR_OLD_NAMES = [
    "chrome-151", "chrome-133", "chrome-131", "chrome-124", "firefox-148", "firefox-135",
    "firefox-133", "safari-ios-18", "safari-16", "chrome-latest", "chrome", "firefox-latest",
    "firefox", "safari-latest", "safari",
]  # fmt: skip

OS_TOKENS = {
    "windows": "Windows NT 10.0; Win64; x64",
    "macos": "Macintosh; Intel Mac OS X",
    "linux": "X11; Linux x86_64",
}
CH_PLATFORM = {
    "windows": '"Windows"',
    "macos": '"macOS"',
    "linux": '"Linux"',
    "android": '"Android"',
}


def chrome_brands(major: int) -> str:
    """Chromium's brand list for a major version (user_agent_utils.cc, public): the GREASE
    brand's characters and version, and the order, follow from the major version."""
    chars = [" ", "(", ":", "-", ".", "/", ")", ";", "=", "?", "_"]
    grease_version = ["8", "99", "24"][major % 3]
    grease = f'"Not{chars[major % 11]}A{chars[(major + 1) % 11]}Brand";v="{grease_version}"'
    brands = [grease, f'"Chromium";v="{major}"', f'"Google Chrome";v="{major}"']
    order = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)][major % 6]
    out = [""] * 3
    for brand, at in zip(brands, order, strict=True):
        out[at] = brand
    return ", ".join(out)


def meaning(name: str) -> tuple[str, str, str]:
    """(browser, version, platform) that a name promises; latest names through their alias."""
    info = httpcloak.preset_info(name)
    target = info.alias_of or name
    if name.startswith(("android-chrome-", "ios-chrome-")):
        platform, rest = name.split("-chrome-")
        name = f"chrome-{rest}-{platform}"
    m = re.fullmatch(r"(chrome|firefox|safari|ios-safari)-(\d+|latest)(?:-(\w+))?", name)
    assert m, name
    browser, version, platform = m.group(1), m.group(2), m.group(3) or "linux"
    if browser == "safari" and m.group(3) is None:
        platform = "macos"  # safari-18: desktop Safari
    if browser == "ios-safari":
        browser, platform = "safari", "ios"
    if version == "latest":
        found = re.search(r"-(\d+)", target)
        assert found, target
        version = found.group(1)
    return browser, version, platform


@pytest.fixture(scope="module")
def url(server: TestServer) -> str:
    return server.https.replace("127.0.0.1", "localhost") + "/fingerprint"


@cache
def _seen(name: str, url: str, ca: str) -> Any:
    with httpcloak.Session(name, verify=ca) as s:
        return s.get(url).json()


def _headers(seen: Any) -> dict[str, str]:
    return {k.lower(): v[0] for k, v in seen["headers"].items()}


def test_the_list_is_upstreams_116_names() -> None:
    assert len(UPSTREAM_NAMES) == len(set(UPSTREAM_NAMES)) == 116


def test_every_upstream_and_old_name_is_listed() -> None:
    available = set(httpcloak.preset_names())
    assert set(UPSTREAM_NAMES) - available == set()
    assert set(OUR_OLD_NAMES) - available == set()


@pytest.mark.parametrize("name", UPSTREAM_NAMES)
def test_name_sends_what_it_promises(name: str, url: str, server: TestServer) -> None:
    browser, version, platform = meaning(name)
    seen = _seen(name, url, server.ca)
    headers = _headers(seen)
    ua = headers["user-agent"]
    if browser == "chrome" and platform == "ios":
        # Chrome on iOS is WebKit: CriOS in Safari's User-Agent, Safari's TLS and HTTP/2.
        assert re.search(rf"\(iPhone; CPU iPhone OS [\d_]+ like Mac OS X\).* CriOS/{version}\.", ua)
        assert not any(h.startswith("sec-ch-ua") for h in headers)
        safari = _seen("safari-18-ios", url, server.ca)
        assert (seen["ja4"], seen["akamai"]) == (safari["ja4"], safari["akamai"])
    elif browser == "chrome":
        assert f"Chrome/{version}.0.0.0" in ua
        assert headers["sec-ch-ua"] == chrome_brands(int(version))
        assert headers["sec-ch-ua-platform"] == CH_PLATFORM[platform]
        if platform == "android":
            assert "(Linux; Android 10; K)" in ua and "Mobile Safari/537.36" in ua
            assert headers["sec-ch-ua-mobile"] == "?1"
            desktop = _seen(f"chrome-{version}-linux", url, server.ca)
            assert seen["ja4"] == desktop["ja4"]  # Chrome on Android: the desktop hello
            assert seen["akamai"] == desktop["akamai"]
        else:
            assert OS_TOKENS[platform] in ua and "Mobile" not in ua
            assert headers["sec-ch-ua-mobile"] == "?0"
            assert seen["akamai"] == "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
    elif browser == "firefox":
        assert f"; rv:{version}.0) Gecko/20100101 Firefox/{version}.0" in ua
        assert OS_TOKENS[platform] in ua
        assert not any(h.startswith("sec-ch-ua") for h in headers)
        assert seen["akamai"] == "1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s"
    else:
        assert browser == "safari"
        assert f"Version/{version}." in ua and "AppleWebKit/605.1.15" in ua
        if platform == "ios":
            assert "(iPhone; CPU iPhone OS " in ua and "Mobile/15E148" in ua
        else:
            assert "(Macintosh; Intel Mac OS X 10_15_7)" in ua and "Mobile" not in ua
        assert not any(h.startswith("sec-ch-ua") for h in headers)
        assert seen["akamai"].endswith(("|m,s,a,p", "|m,s,p,a"))


@pytest.mark.parametrize("name", OUR_OLD_NAMES)
def test_our_old_names_keep_working(name: str, url: str, server: TestServer) -> None:
    seen = _seen(name, url, server.ca)
    assert seen["proto"] == "HTTP/2.0" and seen["sni"] == "localhost"


@pytest.mark.parametrize(
    ("name", "platform"),
    [("chrome-151", "linux"), ("chrome-133", "linux"), ("firefox-148", "linux")],
)
def test_a_name_without_platform_is_the_linux_desktop(
    name: str, platform: str, url: str, server: TestServer
) -> None:
    assert OS_TOKENS[platform] in _headers(_seen(name, url, server.ca))["user-agent"]


def _docs_table() -> dict[str, list[str]]:
    doc = (Path(__file__).parent.parent / "docs" / "fingerprints.md").read_text()
    section = doc[doc.index("## Built-in presets") :]
    section = section[: section.index("\n## ", 1)]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [c.strip().replace("`", "") for c in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_docs_list_every_preset_as_describe_preset_does() -> None:
    """docs/fingerprints.md's table: name -> aliases, browser, version, platform, TLS, source."""
    infos = [p for p in httpcloak._presets.presets() if not p.custom]
    aliases: dict[str, list[str]] = {}
    for p in infos:
        if p.alias_of:
            aliases.setdefault(p.alias_of, []).append(p.name)
    expected = {
        p.name: [
            ", ".join(sorted(aliases.get(p.name, []))),
            p.browser,
            p.version,
            p.platform,
            p.engine_profile,
            p.source,
        ]
        for p in infos
        if p.alias_of is None
    }
    assert _docs_table() == expected


def test_describe_preset_says_what_a_name_stands_for() -> None:
    latest = httpcloak.preset_info("chrome-latest")
    assert (latest.browser, latest.version, latest.platform, latest.source) == (
        "Chrome",
        "156",
        "linux",
        "captured",
    )
    ios = httpcloak.preset_info("ios-chrome-146")
    assert (ios.alias_of, ios.browser, ios.platform, ios.engine_profile) == (
        "chrome-146-ios",
        "Chrome (iOS)",
        "ios",
        "safari_ios_18_5",
    )
