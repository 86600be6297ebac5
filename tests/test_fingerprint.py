"""The request looks like the browser's, streamed or not (issue #4, fingerprint proof): the
presets that claim a published browser fingerprint send it, as the test server computes it
from the ClientHello and the HTTP/2 preface it received (reached by host name, so SNI is
sent), streamed or buffered, on a fresh handshake.

Published values (see README "Checking the fingerprint of your own requests"):
Chrome 148 and 151 JA4 from tls.peet.ws captures quoted in sardanioss/httpcloak
(fingerprint/chrome151_test.go: ML-DSA 0x0904-0x0906 moved JA4_c), Firefox 148 JA3/JA4 from
enetx/surf (impersonate.go) and sardanioss/httpcloak (fingerprint/presets.go, Firefox148)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak

from servers import TestServer

CHROME_148_JA4 = "t13d1516h2_8daaf6152771_d8a2da3f94cd"
CHROME_151_JA4 = "t13d1516h2_8daaf6152771_806a8c22fdea"
FIREFOX_148_JA4 = "t13d1717h2_5b57614c22b0_3cbfd9057e0d"
CHROME_AKAMAI = "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
FIREFOX_AKAMAI = "1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s"
# What chrome-latest and firefox-latest send: Chromium 156 and Firefox ESR 153 as captured
# here (tests/fixtures/browsers; tests/test_presets_vs_browsers.py compares field by field).
CHROME_JA4 = "t13d1517h2_8daaf6152771_cb7bf5808d99"
FIREFOX_JA4 = "t13d1617h2_86a278354501_3cbfd9057e0d"
# Firefox does not shuffle its extensions, so its whole JA3 string is published too.
FIREFOX_148_JA3 = (
    "771,4865-4867-4866-49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-156-157-47-53,"
    "0-23-65281-10-11-35-16-5-34-18-51-43-13-45-28-27-65037,4588-29-23-24-25-256-257,0"
)
ML_DSA = [0x0904, 0x0905, 0x0906]
CHROME_SIGNATURE_ALGORITHMS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]

PUBLISHED = {
    "chrome-133": (CHROME_148_JA4, CHROME_AKAMAI),  # the Chrome 148 equivalent
    "chrome-148": (CHROME_148_JA4, CHROME_AKAMAI),
    "chrome-148-windows": (CHROME_148_JA4, CHROME_AKAMAI),
    "chrome-151": (CHROME_151_JA4, CHROME_AKAMAI),
    "chrome-151-macos": (CHROME_151_JA4, CHROME_AKAMAI),
    "firefox-148": (FIREFOX_148_JA4, FIREFOX_AKAMAI),
    "firefox-148-windows": (FIREFOX_148_JA4, FIREFOX_AKAMAI),
    "chrome-latest": (CHROME_JA4, CHROME_AKAMAI),
    "firefox-latest": (FIREFOX_JA4, FIREFOX_AKAMAI),
}


@pytest.fixture
def url(server: TestServer) -> str:
    return server.https.replace("127.0.0.1", "localhost") + "/fingerprint"


def _buffered_then_streamed(preset: str, url: str, ca: str) -> Iterator[dict[str, Any]]:
    """Each on a fresh session, so each is a first handshake (no pre_shared_key)."""
    with httpcloak.Session(preset, verify=ca) as s:
        yield s.get(url).json()
    with httpcloak.Session(preset, verify=ca) as s, s.get(url, stream=True) as r:
        yield r.json()


@pytest.mark.parametrize("preset", sorted(PUBLISHED))
def test_preset_sends_the_published_ja4_and_akamai(
    preset: str, url: str, server: TestServer
) -> None:
    ja4, akamai = PUBLISHED[preset]
    for seen in _buffered_then_streamed(preset, url, server.ca):
        assert seen["sni"] == "localhost"
        assert seen["proto"] == "HTTP/2.0"
        assert not seen["psk"]
        assert seen["ja4"] == ja4, seen["ja4_r"]
        assert seen["akamai"] == akamai


def test_latest_aliases_point_at_the_newest_matching_presets() -> None:
    assert httpcloak.preset_info("chrome-latest").alias_of == "chrome-156-linux"
    assert httpcloak.preset_info("firefox-latest").alias_of == "firefox-153-linux"
    names = httpcloak.preset_names()
    assert "chrome-151" in names and "firefox-148" in names
    assert httpcloak.preset_info("chrome-151").engine_profile == "chrome_151_PSK"
    assert httpcloak.preset_info("firefox-148").engine_profile == "firefox_148"


def test_chrome_151_offers_ml_dsa_first_and_otherwise_chrome_148s_hello(
    url: str, server: TestServer
) -> None:
    with httpcloak.Session("chrome-133", verify=server.ca) as s:
        old = s.get(url).json()
    with httpcloak.Session("chrome-151", verify=server.ca) as s:
        new = s.get(url).json()
    assert old["signature_algorithms"] == CHROME_SIGNATURE_ALGORITHMS
    assert new["signature_algorithms"] == ML_DSA + CHROME_SIGNATURE_ALGORITHMS
    assert new["ja3_hash"] == old["ja3_hash"]  # same ciphers, extensions and groups
    assert 17613 in new["extensions"]  # ALPS, new codepoint


def test_the_same_edit_is_a_session_option(url: str, server: TestServer) -> None:
    """chrome-151 is chrome-133 plus extra_fp tls_signature_algorithms: users can do it."""
    sigs = ["MLDSA44", "MLDSA65", "MLDSA87", "ECDSAWithP256AndSHA256", "PSSWithSHA256"]
    sigs += ["PKCS1WithSHA256", "ECDSAWithP384AndSHA384", "PSSWithSHA384", "PKCS1WithSHA384"]
    sigs += ["PSSWithSHA512", "PKCS1WithSHA512"]
    extra = {"tls_signature_algorithms": sigs}
    with httpcloak.Session("chrome-133", verify=server.ca, extra_fp=extra) as s:
        assert s.get(url).json()["ja4"] == CHROME_151_JA4


def test_firefox_148_sends_the_published_ja3_in_firefox_order(url: str, server: TestServer) -> None:
    with httpcloak.Session("firefox-148", verify=server.ca) as s:
        seen = s.get(url).json()
    assert seen["ja3"] == FIREFOX_148_JA3
    assert seen["supported_versions"] == [772, 771]  # Firefox sends no GREASE


@pytest.mark.parametrize("preset", ["chrome-151", "firefox-148"])
def test_a_resumed_handshake_adds_pre_shared_key_last(
    preset: str, url: str, server: TestServer
) -> None:
    with httpcloak.Session(preset, verify=server.ca) as s:
        assert not s.get(url).json()["resumed"]
        s.refresh()  # a new connection, the TLS session cache kept
        again = s.get(url).json()
    assert again["resumed"] and again["psk"]
    assert again["extensions"][-1] == 41


@pytest.mark.parametrize(
    ("preset", "user_agent", "expected"),
    [
        (
            "chrome-151-windows",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/151.0.0.0 Safari/537.36",
            {
                "sec-ch-ua": '"Not=A?Brand";v="99", "Google Chrome";v="151", "Chromium";v="151"',
                "sec-ch-ua-mobile": "?0",
                "sec-ch-ua-platform": '"Windows"',
                "accept-encoding": "gzip, deflate, br, zstd",
            },
        ),
        (
            "firefox-148-windows",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:148.0) Gecko/20100101 Firefox/148.0",
            {
                "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "accept-language": "en-US,en;q=0.5",
                "te": "trailers",
            },
        ),
    ],
)
def test_headers_are_the_browsers_in_its_order(
    preset: str, user_agent: str, expected: dict[str, str], url: str, server: TestServer
) -> None:
    info = httpcloak.preset_info(preset)
    with httpcloak.Session(preset, verify=server.ca) as s:
        seen = s.get(url).json()
    sent = {k.lower(): v for k, v in seen["headers"].items()}
    assert sent["user-agent"] == [user_agent]
    for name, value in expected.items():
        assert sent[name] == [value], name
    assert seen["header_order_source"] == "wire"
    wire = [h for h in seen["header_order"] if not h.startswith(":")]
    assert wire == [name for name, _ in info.headers]
    if preset.startswith("firefox"):
        assert not any(h.startswith("sec-ch-ua") for h in wire)  # Firefox sends no client hints


@pytest.mark.parametrize("preset", ["chrome-151", "firefox-148"])
def test_custom_headers_keep_the_preset_order(preset: str, url: str, server: TestServer) -> None:
    with httpcloak.Session(preset, verify=server.ca) as s:
        plain = s.get(url).json()["header_order"]
        custom = s.get(url, headers={"Accept-Language": "de-DE", "X-Trace": "1"}).json()
    order = custom["header_order"]
    # An overridden header keeps the preset's place and takes the user's value; a new
    # one comes after the preset's headers; the rest are untouched.
    assert order.index("accept-language") == plain.index("accept-language")
    assert custom["headers"]["Accept-Language"] == ["de-DE"]
    assert order.index("x-trace") > max(plain.index(h) for h in plain if not h.startswith(":"))
    assert [h for h in order if h != "x-trace"] == plain


# ---- streamed or buffered, chrome-latest and firefox-latest ------------------------------


@pytest.mark.parametrize("preset", ["chrome-latest", "firefox-latest", "safari-latest"])
def test_streamed_and_buffered_requests_carry_the_same_fingerprint(
    preset: str, url: str, server: TestServer
) -> None:
    buffered, streamed = _buffered_then_streamed(preset, url, server.ca)
    assert buffered["sni"] == "localhost"
    for field in ("ja4", "akamai", "header_order"):
        assert streamed[field] == buffered[field], field

    # Chrome (chrome-latest) permutes its extensions per connection: the same set.
    def named(extensions: list[int]) -> set[int]:
        return {e for e in extensions if e & 0x0F0F != 0x0A0A}  # GREASE: random per connection

    assert named(streamed["extensions"]) == named(buffered["extensions"])


def test_chrome_matches_the_published_fingerprints(url: str, server: TestServer) -> None:
    buffered, _ = _buffered_then_streamed("chrome-latest", url, server.ca)
    assert buffered["ja4"] == CHROME_JA4
    assert buffered["akamai"] == CHROME_AKAMAI


def test_firefox_matches_the_published_fingerprints(url: str, server: TestServer) -> None:
    # Every preset with a published value: test_preset_sends_the_published_ja4_and_akamai.
    buffered, _ = _buffered_then_streamed("firefox-latest", url, server.ca)
    assert buffered["ja4"] == FIREFOX_JA4
    assert buffered["akamai"] == FIREFOX_AKAMAI


def test_custom_headers_keep_the_chrome_latest_order(url: str, server: TestServer) -> None:
    with httpcloak.Session("chrome-latest", verify=server.ca) as s:
        plain = s.get(url).json()["header_order"]
        custom = s.get(url, headers={"Accept-Language": "de-DE", "X-Trace": "1"}).json()[
            "header_order"
        ]
    # An overridden header stays where the preset puts it; a new one comes after.
    assert custom.index("accept-language") == plain.index("accept-language")
    assert custom[-1] == "x-trace" or custom.index("x-trace") > custom.index("accept-language")
    assert [h for h in custom if h != "x-trace"] == plain
