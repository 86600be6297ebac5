"""hc_stream_open_plain: the request without JSON is the same request, with the same
refusals, and only requests it carries unchanged take it."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import httpcloak
from httpcloak import _abi, _ffi
from httpcloak._abi_types import RequestSpec

from servers import TestServer

ffi, lib = _ffi.ffi, _ffi.lib


def _echo(session: httpcloak.Session, handle_of: Any) -> dict[str, Any]:
    """The test server's echo of a request opened by handle_of(session handle, err)."""
    err: Any = ffi.new("hc_error *")
    handle = handle_of(session._live_handle(), err)
    assert handle > 0, _abi.error_message(err)
    out, out_len = ffi.new("char **"), ffi.new("int64_t *")
    try:
        while lib.hc_stream_meta(handle, 1000, out, out_len, err) == 0:
            pass
        _ffi.take_json(out[0], out_len[0])
        buf, body = ffi.new("uint8_t[]", 65536), bytearray()
        while (n := lib.hc_stream_read(handle, buf, len(buf), 1000, err)) != 0:
            assert n > 0, _abi.error_message(err)
            body += ffi.buffer(buf, n)
    finally:
        lib.hc_stream_close(handle, err)
    echo: dict[str, Any] = json.loads(body)
    return echo


def _plain(url: str, connect: float = 10.0, follow: int = 1, hops: int = 10) -> Any:
    method, target = b"GET", url.encode()

    def open_plain(session: int, err: Any) -> int:
        handle: int = lib.hc_stream_open_plain(
            session, method, len(method), target, len(target), connect, 30.0, -1.0,
            follow, hops, err,
        )  # fmt: skip
        return handle

    return open_plain


def _as_json(url: str) -> Any:
    request = json.dumps(
        {
            "method": "GET",
            "url": url,
            "headers": [],
            "timeout": {"connect": 10.0, "read": 30.0, "total": None},
            "allow_redirects": True,
            "max_redirects": 10,
        }
    ).encode()

    def open_json(session: int, err: Any) -> int:
        handle: int = lib.hc_stream_open(session, request, len(request), ffi.NULL, 0, err)
        return handle

    return open_json


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_plain_request_is_its_json_twin_on_the_wire(server: TestServer, scheme: str) -> None:
    base = server.http if scheme == "http" else server.https
    url = f"{base}/headers?a=1&b=%20"
    with httpcloak.Session(verify=server.ca) as s:
        twin, plain = _echo(s, _as_json(url)), _echo(s, _plain(url))
    for echo in (twin, plain):
        del echo["remote"], echo["conn_id"]
    assert plain == twin


def test_a_plain_request_follows_redirects_as_asked(server: TestServer) -> None:
    with httpcloak.Session() as s:
        assert _echo(s, _plain(f"{server.http}/redirect/2"))["path"] == "/get"
        err: Any = ffi.new("hc_error *")
        target = f"{server.http}/redirect/3".encode()
        handle = lib.hc_stream_open_plain(
            s._live_handle(), b"GET", 3, target, len(target), 10.0, 30.0, -1.0, 1, 1, err
        )
        out, out_len = ffi.new("char **"), ffi.new("int64_t *")
        try:
            while (ready := lib.hc_stream_meta(handle, 1000, out, out_len, err)) == 0:
                pass
            assert ready == -1 and err.kind == lib.HC_ERR_TOO_MANY_REDIRECTS
        finally:
            lib.hc_stream_close(handle, err)


@pytest.mark.parametrize(
    ("method", "url", "timeouts", "follow", "hops"),
    [
        (b"GET", b"http://127.0.0.1:1/", (0.0, 30.0, -1.0), 1, 10),  # 0 s is no timeout
        (b"GET", b"http://127.0.0.1:1/", (math.nan, 30.0, -1.0), 1, 10),
        (b"GET", b"http://127.0.0.1:1/", (math.inf, 30.0, -1.0), 1, 10),
        (b"GET", b"http://127.0.0.1:1/", (10.0, 30.0, -1.0), 2, 10),
        (b"GET", b"http://127.0.0.1:1/", (10.0, 30.0, -1.0), 1, -1),
        (b"GET", b"http://127.0.0.1:1/", (10.0, 30.0, -1.0), 1, 1 << 40),
        (b"GET", b"", (10.0, 30.0, -1.0), 1, 10),
        (b"GET", b"not a url", (10.0, 30.0, -1.0), 1, 10),
        (b"G T", b"http://127.0.0.1:1/", (10.0, 30.0, -1.0), 1, 10),
        (b"", b"http://127.0.0.1:1/", (10.0, 30.0, -1.0), 1, 10),
    ],
)
def test_bad_plain_arguments_are_invalid_arguments(
    method: bytes, url: bytes, timeouts: tuple[float, float, float], follow: int, hops: int
) -> None:
    err: Any = ffi.new("hc_error *")
    with httpcloak.Session() as s:
        handle = lib.hc_stream_open_plain(
            s._live_handle(), method, len(method), url, len(url), *timeouts, follow, hops, err
        )
    assert handle == 0
    assert err.kind == lib.HC_ERR_INVALID_ARGUMENT, _abi.error_message(err)
    assert _abi.error_message(err)


def test_plain_null_pointers_and_closed_sessions_are_errors_not_crashes() -> None:
    err: Any = ffi.new("hc_error *")
    with httpcloak.Session() as s:
        session = s._live_handle()
        assert lib.hc_stream_open_plain(
            session, b"GET", 3, ffi.NULL, 9, 1.0, 1.0, 1.0, 1, 1, err
        ) == 0  # fmt: skip
        assert err.kind == lib.HC_ERR_INVALID_ARGUMENT
    assert lib.hc_stream_open_plain(session, b"GET", 3, b"http://x/", 9, 1, 1, 1, 1, 1, err) == 0
    assert err.kind == lib.HC_ERR_CLOSED


def _spec(**changes: Any) -> RequestSpec:
    spec: dict[str, Any] = {
        "method": "GET",
        "url": "http://127.0.0.1/",
        "headers": [],
        "timeout": {"connect": 1, "read": 2, "total": None},
        "allow_redirects": True,
        "max_redirects": 10,
    }
    spec.update(changes)
    return spec  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("spec", "plain"),
    [
        (_spec(), True),
        (_spec(headers=[("x-a", "1")]), False),
        (_spec(url="http://127.0.0.1/ñ"), False),  # JSON decides what non-ASCII means
        (_spec(max_redirects=1 << 31), False),
        (_spec(exact_headers=True), False),
        (_spec(on_redirect=True), False),
        (_spec(drop_headers=["accept"]), False),
    ],
)
def test_only_requests_the_arguments_carry_unchanged_go_plain(
    spec: RequestSpec, plain: bool
) -> None:
    assert _abi._is_plain(spec) is plain
