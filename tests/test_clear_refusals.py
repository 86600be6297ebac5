"""Bad input is refused with the exception the README names, before anything is sent; and
values a caller leaves as None are left out, as requests does."""

from __future__ import annotations

import base64
import math
from typing import Any

import pytest

import httpcloak

from servers import TestServer


@pytest.mark.parametrize("method", ["", "GET\r\n", "GET\n", "POST\t", " GET", "G ET"])
def test_a_method_is_an_http_token_never_trimmed_or_defaulted(
    server: TestServer, method: str
) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="method"):
        s.request(method, f"{server.http}/get")


@pytest.mark.parametrize(
    "headers", [{"X-A": "a\r\nX-Injected: b"}, {"Bad Name": "x"}, {"X-A": "a\x00"}]
)
def test_a_bad_header_is_invalid_argument(server: TestServer, headers: dict[str, str]) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="header"):
        s.get(f"{server.http}/get", headers=headers)
    with pytest.raises(httpcloak.InvalidArgument):
        httpcloak.Session(headers=headers)


@pytest.mark.parametrize(
    ("chunk_size", "error"),
    [("a", TypeError), (True, TypeError), (1.5, TypeError), (0, httpcloak.InvalidArgument)],
)
def test_a_bad_chunk_size_is_refused(server: TestServer, chunk_size: Any, error: type) -> None:
    with httpcloak.Session() as s, s.get(f"{server.http}/bytes/10", stream=True) as r:
        with pytest.raises(error, match="chunk_size"):
            r.iter_content(chunk_size)


def test_a_huge_chunk_size_costs_no_huge_buffer(server: TestServer) -> None:
    # Pieces are "at most chunk_size": a 10-byte body with chunk_size 1 TiB is 10 bytes.
    with httpcloak.Session() as s, s.get(f"{server.http}/bytes/10", stream=True) as r:
        assert b"".join(r.iter_content(1 << 40)) == bytes(i * 7 % 251 for i in range(10))


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_json_that_is_not_json_is_refused(server: TestServer, value: Any) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="json="):
        s.post(f"{server.http}/anything", json=value)
    with httpcloak.Session() as s, pytest.raises(TypeError, match="not JSON serializable"):
        s.post(f"{server.http}/anything", json={"a": object()})  # as json.dumps says


def test_cookies_must_be_a_mapping(server: TestServer) -> None:
    with httpcloak.Session() as s, pytest.raises(TypeError, match="cookies="):
        s.get(f"{server.http}/get", cookies=5)  # type: ignore[call-overload]


def test_none_values_are_left_out(server: TestServer) -> None:
    with httpcloak.Session() as s:
        echo = s.get(
            f"{server.http}/anything",
            params={"a": "1", "b": None},
            cookies={"c": "3", "d": None},
        ).json()
        assert echo["raw_query"] == "a=1"
        assert echo["headers"]["Cookie"] == ["c=3"]
        form = s.post(f"{server.http}/anything", data={"e": "5", "f": None}).json()
        assert base64.b64decode(form["body_b64"]) == b"e=5"
        assert s.get(f"{server.http}/anything", params={"g": None}).json()["raw_query"] == ""


def test_h3_over_plain_http_is_refused_before_any_packet(server: TestServer) -> None:
    with httpcloak.Session(http_version="h3") as s:
        with pytest.raises(httpcloak.InvalidArgument, match="https://"):
            s.get(f"{server.http}/get")


def test_a_domain_cookie_for_a_top_level_domain_is_refused() -> None:
    with httpcloak.Session() as s:
        with pytest.raises(httpcloak.InvalidArgument, match="public suffix"):
            s.set_cookie("a", "b", domain=".com")
        s.set_cookie("a", "b", domain="localhost")  # host-only: fine
        assert [c.name for c in s.get_cookies("http://localhost/")] == ["a"]


@pytest.mark.parametrize("name", ["Content-Length", "transfer-encoding"])
def test_body_framing_headers_are_refused(server: TestServer, name: str) -> None:
    # A stray one made HTTP/1.1 wait for a body that never came.
    with pytest.raises(httpcloak.InvalidArgument, match="set from the body"):
        httpcloak.Session(headers={name: "5"})
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match=name):
        s.get(f"{server.http}/get", headers={name: "5"})


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
