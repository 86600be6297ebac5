"""Session options ja3, akamai and extra_fp change what the test server sees: the JA3 of the
ClientHello (computed without GREASE), the HTTP/2 Akamai fingerprint, the extension list.
Malformed values fail when the session is created, with the reason."""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import Any

import pytest

import httpcloak

from servers import TestServer

# Chrome's ciphers and groups with a fixed extension order of our choosing (no GREASE).
JA3 = (
    "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
    "0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513-21,29-23-24,0"
)
# The same with GREASE values, as captured from a browser: sent as fresh GREASE, and
# left out of the JA3 the server computes.
JA3_GREASE = (
    "771,2570-4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
    "2570-0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513-2570-21,2570-29-23-24,0"
)
# Safari-like HTTP/2 preface with PRIORITY frames: nothing like any built-in preset.
AKAMAI = "1:4096;3:100;4:2097152|10485760|3:0:0:201,5:0:0:101|m,s,p,a"
FIREFOX_PRESET_AKAMAI = "1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s"


@pytest.fixture
def url(server: TestServer) -> str:
    return server.https.replace("127.0.0.1", "localhost") + "/fingerprint"


def _seen(server: TestServer, url: str, preset: str = "chrome-latest", **options: Any) -> Any:
    with httpcloak.Session(preset, verify=server.ca, **options) as s:
        return s.get(url).json()


def test_ja3_is_what_the_server_sees(server: TestServer, url: str) -> None:
    seen = _seen(server, url, ja3=JA3)
    assert seen["ja3"] == JA3
    assert seen["ja3_hash"] == hashlib.md5(JA3.encode()).hexdigest()
    # Chrome's 15 ciphers; 16 extensions where Chrome 133 sends 16 others (c part differs).
    assert seen["ja4"].startswith("t13d1516h2_8daaf6152771_")
    assert seen["negotiated_alpn"] == "h2"


def test_ja3_grease_values_are_sent_as_grease(server: TestServer, url: str) -> None:
    seen = _seen(server, url, ja3=JA3_GREASE)
    assert seen["ja3"] == JA3
    grease = [c for c in seen["cipher_suites"] if c & 0x0F0F == 0x0A0A]
    assert len(grease) == 1 and seen["cipher_suites"][1:] == [4865, 4866, 4867] + [
        int(c) for c in JA3.split(",")[1].split("-")[3:]
    ]


def test_akamai_is_what_the_server_sees_buffered_and_streamed(server: TestServer, url: str) -> None:
    assert _seen(server, url)["akamai"] != AKAMAI
    with httpcloak.Session("chrome-latest", verify=server.ca, akamai=AKAMAI) as s:
        assert s.get(url).json()["akamai"] == AKAMAI
    with httpcloak.Session("chrome-latest", verify=server.ca, akamai=AKAMAI) as s:
        with s.get(url, stream=True) as r:
            assert r.protocol == "h2"
            assert r.json()["akamai"] == AKAMAI


def test_ja3_and_akamai_together_on_another_preset(server: TestServer, url: str) -> None:
    seen = _seen(server, url, "firefox-latest", ja3=JA3, akamai=AKAMAI)
    assert (seen["ja3"], seen["akamai"]) == (JA3, AKAMAI)
    # Only the fingerprint changed: the preset's headers are still Firefox's.
    assert "Firefox/" in seen["headers"]["User-Agent"][0]


def test_async_session_takes_the_same_options(server: TestServer, url: str) -> None:
    async def main() -> Any:
        async with httpcloak.AsyncSession(verify=server.ca, ja3=JA3, akamai=AKAMAI) as s:
            r = await s.get(url)
            return r.json()

    seen = asyncio.run(main())
    assert (seen["ja3"], seen["akamai"]) == (JA3, AKAMAI)


def test_extra_fp_signature_algorithms_and_alpn(server: TestServer, url: str) -> None:
    seen = _seen(
        server, url, extra_fp={"tls_signature_algorithms": ["ECDSAWithP256AndSHA256", "Ed25519"]}
    )
    assert seen["signature_algorithms"] == [0x0403, 0x0807]
    with httpcloak.Session(verify=server.ca, extra_fp={"tls_alpn": ["http/1.1"]}) as s:
        r = s.get(url)
        assert r.protocol == "h1"
        assert r.json()["alpn"] == ["http/1.1"]


def test_extra_fp_over_a_ja3(server: TestServer, url: str) -> None:
    seen = _seen(
        server,
        url,
        ja3=JA3,
        extra_fp={"tls_key_share_curves": ["P256"], "tls_cert_compression": "zlib"},
    )
    assert seen["ja3"] == JA3  # JA3 does not carry key shares or compression algorithms


def test_extra_fp_permute_extensions_shuffles_a_fixed_order(server: TestServer, url: str) -> None:
    fixed = {tuple(_seen(server, url, "firefox-latest")["extensions"]) for _ in range(2)}
    assert len(fixed) == 1  # Firefox's order does not change by itself
    permuted = [
        _seen(server, url, "firefox-latest", extra_fp={"tls_permute_extensions": True})
        for _ in range(4)
    ]
    orders = {tuple(p["extensions"]) for p in permuted}
    assert len(orders) > 1
    assert {frozenset(o) for o in orders} == {frozenset(next(iter(fixed)))}
    assert all(p["akamai"] == FIREFOX_PRESET_AKAMAI for p in permuted)


def test_custom_headers_keep_the_preset_order_under_a_custom_fingerprint(
    server: TestServer, url: str
) -> None:
    with httpcloak.Session(verify=server.ca, ja3=JA3, akamai=AKAMAI) as s:
        plain = s.get(url).json()["header_order"]
        custom = s.get(url, headers={"Accept-Language": "de-DE"}).json()["header_order"]
    assert custom == plain
    assert plain[:4] == [":method", ":scheme", ":path", ":authority"]  # from AKAMAI


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"ja3": "771,4865,0"}, "5 comma-separated fields"),
        ({"ja3": "769,4865,0,29,0"}, "version must be 771"),
        ({"ja3": "771,,0,29,0"}, "no cipher suite"),
        ({"ja3": "771,4865-x,0,29,0"}, 'cipher "x"'),
        ({"ja3": "771,4865,0-99,29,0"}, "extension 99 is not supported"),
        ({"ja3": "771,4865,0-0,29,0"}, "extension 0 twice"),
        ({"ja3": "771,4865,0-51,29,300"}, 'point format "300"'),
        ({"ja3": JA3, "extra_fp": {"tls_key_share_curves": ["P521"]}}, "key share P521"),
        ({"akamai": "1:65536|15663105|0"}, "4 |-separated fields"),
        ({"akamai": "1:65536;1:2|15663105|0|m,a,s,p"}, "setting 1 appears twice"),
        ({"akamai": "1=65536|15663105|0|m,a,s,p"}, 'setting "1=65536"'),
        ({"akamai": "1:65536|00|0|m,a,s,p"}, "WINDOW_UPDATE"),
        ({"akamai": "1:65536|15663105|3:2:0:201|m,a,s,p"}, 'priority "3:2:0:201"'),
        ({"akamai": "1:65536|15663105|0|m,a,s,s"}, "pseudo-header order"),
        ({"extra_fp": {"tls_grease": True}}, 'unknown key "tls_grease"'),
        ({"extra_fp": {"tls_signature_algorithms": ["MD5"]}}, 'unknown name "MD5"'),
        ({"extra_fp": {"tls_alpn": "h2"}}, "tls_alpn"),
        ({"extra_fp": {"tls_record_size_limit": 16385}}, "tls_record_size_limit has no effect"),
    ],
)
def test_malformed_values_are_refused_with_the_reason(options: dict[str, Any], reason: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=re.escape(reason)):
        httpcloak.Session(**options)


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        httpcloak.Session(ja3=771)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        httpcloak.Session(extra_fp=["tls_alpn"])  # type: ignore[arg-type]


def test_http3_refuses_a_custom_fingerprint() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="HTTP/3"):
        httpcloak.Session(http_version="h3", ja3=JA3)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"akamai": "1:65536;2:2;4:6291456|15663105|0|m,a,s,p"}, "ENABLE_PUSH"),
        ({"akamai": "1:65536;5:100|15663105|0|m,a,s,p"}, "MAX_FRAME_SIZE"),
        ({"akamai": "4:2147483648|15663105|0|m,a,s,p"}, "INITIAL_WINDOW_SIZE"),
        ({"ja3": "771,4865,,29,0"}, "no extension"),
        ({"ja3": "771,4865,10-43-51,,0"}, "no group"),
        ({"ja3": "771,4865,10-43-51,12345,0"}, "key share"),
        ({"extra_fp": {"tls_alpn": []}}, "tls_alpn"),
        ({"extra_fp": {"tls_key_share_curves": ["X25519"]}}, "HelloRetryRequest"),
        ({"extra_fp": {"tls_key_share_curves": ["X25519MLKEM768"]}}, "X25519 beside it"),
    ],
)
def test_fingerprints_a_server_would_refuse_are_refused_up_front(
    options: dict[str, Any], reason: str
) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=reason):
        httpcloak.Session(**options)
