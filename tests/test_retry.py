"""Retries: off by default; connection failures and the listed statuses are retried for
idempotent methods with bytes bodies, never a streamed body, within the timeouts. The
server's /flaky endpoint counts the attempts it saw per key."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak

from servers import TestServer

_keys = itertools.count()
FAST: dict[str, Any] = {"retry_wait_min": 10, "retry_wait_max": 50}  # milliseconds


def _flaky(server: TestServer, fail: int, **params: object) -> str:
    query = "".join(f"&{k}={v}" for k, v in params.items())
    return f"{server.http}/flaky?key=k{next(_keys)}-{id(server)}&fail={fail}{query}"


def _attempt(r: httpcloak.Response) -> int:
    attempt: int = r.json()["attempt"]
    return attempt


def test_off_by_default(server: TestServer) -> None:
    with httpcloak.Session() as s:
        r = s.get(_flaky(server, 1))
    assert r.status_code == 503 and _attempt(r) == 1


def test_a_listed_status_is_retried_until_it_succeeds(server: TestServer) -> None:
    with httpcloak.Session(retry=3, **FAST) as s:
        r = s.get(_flaky(server, 2))
    assert r.status_code == 200 and _attempt(r) == 3


def test_when_retries_run_out_the_last_answer_is_returned(server: TestServer) -> None:
    with httpcloak.Session(retry=2, **FAST) as s:
        r = s.get(_flaky(server, 5))
    assert r.status_code == 503 and _attempt(r) == 3


def test_only_the_listed_statuses_are_retried(server: TestServer) -> None:
    with httpcloak.Session(retry=3, retry_on_status=[502], **FAST) as s:
        r = s.get(_flaky(server, 1, status=503))
        assert r.status_code == 503 and _attempt(r) == 1
        r = s.get(_flaky(server, 1, status=502))
        assert r.status_code == 200 and _attempt(r) == 2


def test_a_dropped_connection_is_retried(server: TestServer) -> None:
    with httpcloak.Session(retry=2, **FAST) as s:
        r = s.get(_flaky(server, 2, abort=1))
    assert r.status_code == 200 and _attempt(r) == 3


def test_an_http2_stream_reset_before_headers_is_retried(server: TestServer) -> None:
    # HTTP/2's counterpart of a dropped connection: the server never answered.
    url = _flaky(server, 2, abort=1).replace(server.http, server.https)
    with httpcloak.Session(verify=server.ca, retry=2, **FAST) as s:
        r = s.get(url)
    assert r.protocol == "h2" and r.status_code == 200 and _attempt(r) == 3


def test_a_dropped_connection_without_retries_is_a_connect_error(server: TestServer) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.ConnectError):
        s.get(_flaky(server, 1, abort=1))


def test_post_and_patch_are_not_retried_unless_asked(server: TestServer) -> None:
    with httpcloak.Session(retry=3, **FAST) as s:
        for method in ("POST", "PATCH"):
            r = s.request(method, _flaky(server, 1), data=b"body")
            assert r.status_code == 503 and _attempt(r) == 1
        r = s.put(_flaky(server, 1), data=b"body")  # idempotent
        assert r.status_code == 200 and _attempt(r) == 2
    with httpcloak.Session(retry=3, retry_methods=["GET", "POST"], **FAST) as s:
        r = s.post(_flaky(server, 1), data=b"body")
        assert r.status_code == 200 and _attempt(r) == 2


def test_a_streamed_request_body_is_never_retried(server: TestServer) -> None:
    def body() -> Iterator[bytes]:
        yield b"part one, "
        yield b"part two"

    with httpcloak.Session(retry=3, **FAST) as s:
        r = s.put(_flaky(server, 1), data=body())
    assert r.status_code == 503 and _attempt(r) == 1


def test_the_connect_timeout_bounds_the_waits(server: TestServer) -> None:
    url = _flaky(server, 10)
    with httpcloak.Session(
        retry=5, retry_wait_min=30_000, retry_wait_max=30_000, timeout=(0.5, 5)
    ) as s:
        with pytest.raises(httpcloak.ConnectTimeout):
            s.get(url)
        # One attempt was made before the timeout ended the wait; this is the second.
    with httpcloak.Session() as probe:
        assert _attempt(probe.get(url)) == 2


def test_a_stream_is_retried_only_before_its_headers(server: TestServer) -> None:
    with httpcloak.Session(retry=3, **FAST) as s:
        with s.get(_flaky(server, 1), stream=True) as r:
            assert r.status_code == 200 and r.json()["attempt"] == 2
        # A body cut short after delivery began is an error, not a silent retry.
        with s.get(f"{server.http}/truncated?length=1000&send=500", stream=True) as r:
            with pytest.raises(httpcloak.IncompleteRead):
                r.read()


@pytest.mark.parametrize(
    "options",
    [
        {"retry": -1},
        {"retry": 1, "retry_on_status": [42]},
        {"retry": 1, "retry_wait_min": 2, "retry_wait_max": 1},
        {"retry": 1, "retry_methods": ["GE T"]},
    ],
)
def test_bad_retry_settings_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="retry"):
        httpcloak.Session(**options)


def test_retry_settings_have_types() -> None:
    with pytest.raises(TypeError):
        httpcloak.Session(retry="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        httpcloak.Session(retry=1, retry_on_status=503)  # type: ignore[arg-type]
