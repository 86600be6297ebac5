"""max_body_size: an opt-in bound on a response body read whole, session and request level.
A compression bomb stops at the bound (not after it was decoded whole); the iterators are
not bound."""

from __future__ import annotations

import asyncio
import gzip
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import httpcloak

from servers import TestServer

MIB = 1 << 20
LIMIT = 1 * MIB
BOMB_DECODED = 64 * MIB  # about 64 KiB on the wire
READ_PIECE = 64 * 1024  # what one read of a whole-body read asks for at most


class _GzipBomb(BaseHTTPRequestHandler):
    """GET /<decoded size>: that many zero bytes, gzip-encoded, with a Content-Length."""

    protocol_version = "HTTP/1.1"
    bodies: dict[int, bytes] = {}

    def do_GET(self) -> None:
        size = int(self.path.strip("/"))
        body = self.bodies.get(size)
        if body is None:
            body = self.bodies[size] = gzip.compress(bytes(size), compresslevel=9)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def bomb() -> Iterator[str]:
    for size in (0, LIMIT, 4 * MIB, BOMB_DECODED):  # made now, not while a test measures
        _GzipBomb.bodies[size] = gzip.compress(bytes(size), compresslevel=9)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GzipBomb)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _assert_stopped_at_limit(error: httpcloak.BodyTooLarge, limit: int = LIMIT) -> None:
    assert error.limit == limit
    assert limit < error.received <= limit + READ_PIECE
    assert f"max_body_size={limit}" in str(error)


def test_a_session_limit_stops_a_gzip_bomb_at_the_limit(bomb: str) -> None:
    with httpcloak.Session(max_body_size=LIMIT) as s:
        tracemalloc.start()
        try:
            with pytest.raises(httpcloak.BodyTooLarge) as caught:
                s.get(f"{bomb}/{BOMB_DECODED}")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        _assert_stopped_at_limit(caught.value)
        assert isinstance(caught.value, httpcloak.TransportError)
        assert peak < 4 * LIMIT, f"{peak} bytes held while refusing a {LIMIT}-byte bound"
        # The session goes on; a body within the bound is read whole.
        assert s.get(f"{bomb}/{LIMIT}").content == bytes(LIMIT)


def test_a_request_limit_overrides_the_session_one(bomb: str) -> None:
    with httpcloak.Session(max_body_size=LIMIT) as s:
        assert len(s.get(f"{bomb}/{4 * MIB}", max_body_size=None).content) == 4 * MIB
        assert len(s.get(f"{bomb}/{4 * MIB}", max_body_size=4 * MIB).content) == 4 * MIB
        with pytest.raises(httpcloak.BodyTooLarge) as caught:
            s.get(f"{bomb}/{4 * MIB}", max_body_size=2 * MIB)
        _assert_stopped_at_limit(caught.value, 2 * MIB)
    with httpcloak.Session() as unbounded:
        with pytest.raises(httpcloak.BodyTooLarge) as caught:
            unbounded.get(f"{bomb}/{BOMB_DECODED}", max_body_size=LIMIT)
        with pytest.raises(httpcloak.BodyTooLarge):
            unbounded.request("GET", f"{bomb}/{BOMB_DECODED}", max_body_size=LIMIT)


def test_the_module_level_calls_take_the_limit(bomb: str) -> None:
    with pytest.raises(httpcloak.BodyTooLarge):
        httpcloak.get(f"{bomb}/{BOMB_DECODED}", max_body_size=LIMIT)


def test_a_declared_length_past_the_limit_is_refused_before_reading(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, max_body_size=LIMIT) as s:
        r = s.get(f"{server.http}/bytes/{2 * LIMIT}", stream=True)
        with pytest.raises(httpcloak.BodyTooLarge) as caught:
            r.read()
        assert caught.value.received == 2 * LIMIT
        assert "Content-Length" in str(caught.value)
        assert r.num_bytes_downloaded == 0 and r.closed
        # A HEAD's Content-Length announces no body.
        assert s.head(f"{server.http}/bytes/{2 * LIMIT}").content == b""
        # Exactly the limit is within it.
        assert len(s.get(f"{server.https}/bytes/{LIMIT}").content) == LIMIT


def test_streamed_bodies_are_bound_only_when_read_whole(bomb: str) -> None:
    with httpcloak.Session(max_body_size=LIMIT) as s:
        with s.get(f"{bomb}/{4 * MIB}", stream=True) as r:
            assert sum(len(chunk) for chunk in r.iter_content(READ_PIECE)) == 4 * MIB
        with s.get(f"{bomb}/{4 * MIB}", stream=True) as r:
            with pytest.raises(httpcloak.BodyTooLarge) as caught:
                _ = r.content
            _assert_stopped_at_limit(caught.value)
            assert r.closed


def test_async_sessions_take_the_limit(bomb: str) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession(max_body_size=LIMIT) as s:
            with pytest.raises(httpcloak.BodyTooLarge) as caught:
                await s.get(f"{bomb}/{BOMB_DECODED}")
            _assert_stopped_at_limit(caught.value)
            r = await s.get(f"{bomb}/{4 * MIB}", stream=True)
            with pytest.raises(httpcloak.BodyTooLarge):
                await r.aread()
            assert r.closed
            ok = await s.get(f"{bomb}/{4 * MIB}", max_body_size=None)
            assert len(ok.content) == 4 * MIB

    asyncio.run(main())


def test_bad_limits_are_refused_before_anything_is_sent(bomb: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="max_body_size"):
        httpcloak.Session(max_body_size=-1)
    for wrong in ("10", 1.5, True):
        with pytest.raises(TypeError, match="max_body_size"):
            httpcloak.Session(max_body_size=wrong)  # type: ignore[arg-type]
    with httpcloak.Session() as s:
        with pytest.raises(httpcloak.InvalidArgument, match="max_body_size"):
            s.get(f"{bomb}/0", max_body_size=-5)
        with pytest.raises(TypeError, match="max_body_size"):
            s.get(f"{bomb}/0", max_body_size="1MB")  # type: ignore[call-overload]
        assert s.stats()["request_count"] == 0


def test_a_saved_session_keeps_its_limit() -> None:
    with httpcloak.Session(max_body_size=LIMIT) as s:
        state = s.marshal()
    with httpcloak.Session.unmarshal(state) as restored:
        assert restored.max_body_size == LIMIT
    with httpcloak.Session() as unbounded:
        assert "max_body_size" not in unbounded.marshal()
