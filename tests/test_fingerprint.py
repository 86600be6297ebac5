"""The request looks like the browser's, streamed or not: JA4, JA3 and the HTTP/2 Akamai
fingerprint as the test server computes them from what it received, reached by host name
(localhost) so that SNI is sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak

from servers import TestServer

CHROME_JA4 = "t13d1516h2_8daaf6152771_806a8c22fdea"  # published for Chrome 151
CHROME_AKAMAI = "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
FIREFOX_JA4 = "t13d1717h2_5b57614c22b0_3cbfd9057e0d"  # published for Firefox 148
FIREFOX_AKAMAI = "1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s"


@pytest.fixture
def fingerprint_url(server: TestServer) -> str:
    return server.https.replace("127.0.0.1", "localhost") + "/fingerprint"


def _fingerprints(preset: str, url: str, ca: str) -> Iterator[dict[str, Any]]:
    """Buffered then streamed, each on a fresh session (a fresh TLS handshake)."""
    with httpcloak.Session(preset, verify=ca) as s:
        yield s.get(url).json()
    with httpcloak.Session(preset, verify=ca) as s, s.get(url, stream=True) as r:
        yield r.json()


@pytest.mark.parametrize("preset", ["chrome-latest", "firefox-latest", "safari-latest"])
def test_streamed_and_buffered_requests_carry_the_same_fingerprint(
    preset: str, fingerprint_url: str, server: TestServer
) -> None:
    buffered, streamed = _fingerprints(preset, fingerprint_url, server.ca)
    assert buffered["sni"] == "localhost"
    for field in ("ja4", "ja3_hash", "akamai", "header_order"):
        assert streamed[field] == buffered[field], field


def test_chrome_matches_the_published_fingerprints(
    fingerprint_url: str, server: TestServer
) -> None:
    buffered, _ = _fingerprints("chrome-latest", fingerprint_url, server.ca)
    assert buffered["ja4"] == CHROME_JA4
    assert buffered["akamai"] == CHROME_AKAMAI


def test_firefox_matches_the_published_fingerprints(
    fingerprint_url: str, server: TestServer
) -> None:
    # Every preset with a published value: tests/test_published_fingerprints.py.
    buffered, _ = _fingerprints("firefox-latest", fingerprint_url, server.ca)
    assert buffered["ja4"] == FIREFOX_JA4
    assert buffered["akamai"] == FIREFOX_AKAMAI


def test_custom_headers_keep_the_preset_order(fingerprint_url: str, server: TestServer) -> None:
    with httpcloak.Session("chrome-latest", verify=server.ca) as s:
        plain = s.get(fingerprint_url).json()["header_order"]
        custom = s.get(
            fingerprint_url, headers={"Accept-Language": "de-DE", "X-Trace": "1"}
        ).json()["header_order"]
    # An overridden header stays where the preset puts it; a new one comes after.
    assert custom.index("accept-language") == plain.index("accept-language")
    assert custom[-1] == "x-trace" or custom.index("x-trace") > custom.index("accept-language")
    assert [h for h in custom if h != "x-trace"] == plain
