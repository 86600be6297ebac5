"""Lifetime: connections go back to the pool or are dropped on purpose, nothing leaks."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest

import httpcloak
from httpcloak import _ffi

from servers import TestServer


def _server_stats(server: TestServer) -> dict[str, Any]:
    with httpcloak.Session(verify=server.ca) as probe:
        stats: dict[str, Any] = probe.get(f"{server.http}/stats").json()
    return stats


def _open_connections(server: TestServer, listener: str) -> int:
    # The probe's own plain-HTTP connection is open while it asks.
    count: int = _server_stats(server)["open"][listener]
    return count - 1 if listener == "http" else count


def _wait_until(condition: Any, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def _conn_id(session: httpcloak.Session, base: str) -> int:
    conn: int = session.get(f"{base}/whoami").json()["conn_id"]
    return conn


def test_closing_early_with_a_small_remainder_reuses_the_h1_connection(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        first = _conn_id(s, server.http)
        r = s.get(f"{server.http}/bytes/200000", stream=True)
        next(r.iter_content(1000))
        r.close()
        assert _conn_id(s, server.http) == first, "the drained connection was not reused"


def test_closing_early_with_a_large_remainder_drops_the_h1_connection(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        first = _conn_id(s, server.http)
        r = s.get(f"{server.http}/big/{1 << 30}", stream=True)
        next(r.iter_content())
        started = time.monotonic()
        r.close()
        took = time.monotonic() - started
        assert took < 0.1, f"close() took {took * 1000:.0f} ms"
        assert _conn_id(s, server.http) != first


def test_closing_early_on_h2_resets_only_the_stream(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        first = _conn_id(s, server.https)
        r = s.get(f"{server.https}/big/{1 << 30}", stream=True)
        assert r.protocol == "h2"
        next(r.iter_content())
        started = time.monotonic()
        r.close()
        assert time.monotonic() - started < 0.1
        assert _conn_id(s, server.https) == first


def test_an_unclosed_stream_is_closed_by_its_finalizer_with_a_warning(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        before = _open_connections(server, "http")
        r = s.get(f"{server.http}/big/{1 << 30}", stream=True)
        next(r.iter_content())
        assert _open_connections(server, "http") == before + 1
        with pytest.warns(ResourceWarning, match="unclosed"):
            del r
            gc.collect()
        assert _wait_until(lambda: _open_connections(server, "http") == before)


def _native_stats() -> dict[str, int]:
    out = _ffi.ffi.new("char **")
    err = _ffi.ffi.new("hc_error *")
    length = _ffi.lib.hc_stats(out, err)
    stats: dict[str, int] = _ffi.take_json(out[0], length)
    return stats


def _fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


SOAK_STREAMS = 2000  # half HTTP/1.1, half HTTP/2; a quarter each read, partly read,
# closed unread, abandoned to the finalizer


def test_soak_streams_opened_read_closed_and_abandoned_return_to_baseline(
    server: TestServer,
) -> None:
    gc.collect()
    baseline, fds = _native_stats(), _fd_count()
    server_open = _server_stats(server)["open"]
    with httpcloak.Session(verify=server.ca) as s:
        for i in range(SOAK_STREAMS):
            base = server.http if i % 2 else server.https
            r = s.get(f"{base}/bytes/{20000 + i}", stream=True)
            style = i % 4
            if style == 0:
                r.read()
                r.close()
            elif style == 1:
                next(r.iter_content(1000))
                r.close()
            elif style == 2:
                r.close()
            else:
                with pytest.warns(ResourceWarning):
                    del r  # no cycle: the finalizer runs here
    gc.collect()
    # At most the baseline, not exactly it: what an earlier test left (a stream, a session,
    # a pooled connection) may go away meanwhile; nothing of this test's may stay.
    assert _wait_until(lambda: _native_stats()["streams"] <= baseline["streams"]), (
        f"streams {baseline['streams']} -> {_native_stats()['streams']}"
    )
    assert _native_stats()["sessions"] <= baseline["sessions"], (
        f"sessions {baseline['sessions']} -> {_native_stats()['sessions']}"
    )
    assert _wait_until(lambda: _native_stats()["goroutines"] <= baseline["goroutines"] + 5, 10), (
        f"goroutines {baseline['goroutines']} -> {_native_stats()['goroutines']}"
    )
    assert _wait_until(lambda: _fd_count() <= fds), f"fds {fds} -> {_fd_count()}"
    assert _wait_until(lambda: _at_most(_server_stats(server)["open"], server_open)), (
        f"server connections {server_open} -> {_server_stats(server)['open']}"
    )


def _at_most(counts: dict[str, int], limits: dict[str, int]) -> bool:
    return all(count <= limits.get(name, 0) for name, count in counts.items())


def test_session_close_with_many_open_streams_is_prompt(server: TestServer) -> None:
    s = httpcloak.Session()
    streams = [s.get(f"{server.http}/stall?after=10", stream=True) for _ in range(20)]
    for r in streams:
        next(r.iter_content())
    started = time.monotonic()
    s.close()
    assert time.monotonic() - started < 0.5
    for r in streams:
        assert r.closed, "Session.close() closes its streams"
        with pytest.raises(httpcloak.StreamClosed, match="the stream is closed"):
            r.read()


def test_a_forked_session_closes_only_its_own_streams(server: TestServer) -> None:
    with httpcloak.Session() as s:
        [twin] = s.fork(1)
        mine = s.get(f"{server.http}/stream/3", stream=True)
        theirs = twin.get(f"{server.http}/stream/3", stream=True)
        twin.close()
        assert theirs.closed and not mine.closed
        assert len(mine.read().splitlines()) == 3
        mine.close()


RAW_ERROR_THEN_GC = textwrap.dedent(
    """
    import gc, io, shutil, sys, httpcloak
    base = sys.argv[1]
    with httpcloak.Session() as s:
        for path in ("/truncated?length=10000&send=5000", "/stall?after=100&seconds=5"):
            r = s.get(base + path, stream=True, timeout=httpcloak.Timeout(read=0.3))
            try:
                shutil.copyfileobj(r.raw, io.BytesIO())
            except httpcloak.HTTPCloakError as error:
                print(type(error).__name__, flush=True)
            r.close()
            gc.collect()
    print("survived", flush=True)
    """
)


def test_an_error_out_of_raw_readinto_leaves_no_buffer_exported(server: TestServer) -> None:
    # The traceback keeps readinto's frame alive in a cycle; a memoryview of the caller's
    # buffer still exported to cffi when gc clears it used to crash the interpreter.
    done = subprocess.run(
        [sys.executable, "-c", RAW_ERROR_THEN_GC, server.http],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["IncompleteRead", "ReadTimeout", "survived"]


def test_closed_session_refuses_requests(server: TestServer) -> None:
    s = httpcloak.Session()
    s.close()
    s.close()
    with pytest.raises(httpcloak.StreamClosed, match="session is closed"):
        s.get(f"{server.http}/get")


def test_session_close_closes_its_open_streams(server: TestServer) -> None:
    s = httpcloak.Session()
    r = s.get(f"{server.http}/big/{1 << 30}", stream=True)
    next(r.iter_content())
    s.close()
    with pytest.raises(httpcloak.StreamError):
        for _ in r.iter_content():
            pass
    r.close()
