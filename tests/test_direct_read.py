"""HTTP/1.1 bodies of known length and HTTP/2 bodies are read on the calling thread (no
read-ahead goroutine): the wait slice, the read timeout, cancel and close from another thread
all still hold, and a read slice that ends mid-body neither loses bytes nor costs the
connection."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

import httpcloak
from httpcloak import _abi
from httpcloak._ffi import ffi, lib

from raw_h2 import (
    DATA,
    END_HEADERS,
    END_STREAM,
    HEADERS,
    STATUS_200,
    Peer,
    RawH2Server,
    frame,
    literal,
)
from servers import TestServer


class SlowRelay:
    """A TCP relay to the test server that hands the server's bytes on in small pieces and
    pauses every `every` bytes: TLS records arrive cut in two, and reads find silence
    mid-body. It counts the connections clients open through it."""

    def __init__(self, upstream: str, every: int, pause: float, piece: int = 1000) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.every, self.pause, self.piece = every, pause, piece
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.scheme = parts.scheme
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._copy, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._copy, args=(server, client, True), daemon=True).start()

    def _copy(self, source: socket.socket, sink: socket.socket, slow: bool) -> None:
        since_pause = 0
        try:
            while data := source.recv(self.piece if slow else 65536):
                sink.sendall(data)
                since_pause += len(data)
                if slow and since_pause >= self.every:
                    time.sleep(self.pause)
                    since_pause = 0
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


ROUTES = [("http", "h1"), ("https", "h1"), ("https", "h2")]


@pytest.fixture(params=ROUTES, ids=["h1", "h1-tls", "h2"])
def route(request: pytest.FixtureRequest) -> tuple[str, str]:
    """The scheme and the protocol: HTTP/1.1 over plain TCP and over TLS, and HTTP/2."""
    value: tuple[str, str] = request.param
    return value


@pytest.fixture
def scheme(route: tuple[str, str]) -> str:
    return route[0]


@pytest.fixture
def session(server: TestServer, route: tuple[str, str]) -> Iterator[httpcloak.Session]:
    with httpcloak.Session(verify=server.ca, http_version=route[1]) as s:
        yield s


@pytest.fixture
def relay(server: TestServer, scheme: str) -> Iterator[SlowRelay]:
    running = SlowRelay(getattr(server, scheme), every=60_000, pause=0.3)
    yield running
    running.close()


def read_slice(r: Any, size: int, wait_ms: int) -> bytes | None:
    """One hc_stream_read of at most wait_ms: the bytes (b"" at the end), None if pending."""
    buf = ffi.new("uint8_t[]", size)
    err = _abi.error_slot()
    n = lib.hc_stream_read(r._native.handle, buf, size, wait_ms, err)
    if n == _abi.READ_PENDING:
        return None
    if n < 0:
        _abi.raise_error(err)
    return bytes(ffi.buffer(buf, n))


def test_a_read_slice_ending_mid_body_loses_nothing_and_keeps_the_connection(
    session: httpcloak.Session, server: TestServer, relay: SlowRelay, route: tuple[str, str]
) -> None:
    size = 300_000
    expected = session.get(f"{server.http}/bytes/{size}").content
    got, pending = bytearray(), 0
    with session.get(f"{relay.url}/bytes/{size}", stream=True) as r:
        assert r.protocol == route[1]
        while (piece := read_slice(r, 65536, 50)) != b"":
            if piece is None:
                pending += 1
            else:
                got += piece
    assert pending >= 2, "the relay's pauses never outlasted a read slice"
    assert bytes(got) == expected
    # The deadlines that ended those slices left the connection as good as new.
    again = session.get(f"{relay.url}/bytes/{size}")
    assert again.content == expected
    assert relay.accepted == 1, f"{relay.accepted} connections for two requests"


def test_iter_content_through_pauses_reads_the_body_byte_exact(
    session: httpcloak.Session, server: TestServer, relay: SlowRelay
) -> None:
    expected = session.get(f"{server.http}/bytes/400000").content
    with session.get(f"{relay.url}/bytes/400000", stream=True) as r:
        assert b"".join(r.iter_content(10_000)) == expected
    assert session.get(f"{relay.url}/whoami").status_code == 200
    assert relay.accepted == 1


def test_the_next_exchange_on_the_connection_inherits_no_read_deadline(
    session: httpcloak.Session, server: TestServer, scheme: str
) -> None:
    # The body's last read ran under a deadline one read slice (100 ms) ahead; headers that
    # take longer on the same connection must still arrive.
    relay = SlowRelay(getattr(server, scheme), every=1 << 30, pause=0)
    try:
        assert len(session.get(f"{relay.url}/bytes/300000").content) == 300000
        r = session.get(f"{relay.url}/slow-headers?delay=0.4")
        assert r.status_code == 200
        assert relay.accepted == 1
    finally:
        relay.close()


def test_read_timeout_during_a_read_on_the_calling_thread(
    server: TestServer, route: tuple[str, str], scheme: str
) -> None:
    with httpcloak.Session(timeout=(5, 0.5), verify=server.ca, http_version=route[1]) as s:
        url = f"{getattr(server, scheme)}/stall?after=100&length=1000000&seconds=30"
        with s.get(url, stream=True) as r:
            reader = r.iter_content()
            assert len(next(reader)) == 100
            started = time.monotonic()
            with pytest.raises(httpcloak.ReadTimeout):
                next(reader)
            waited = time.monotonic() - started
        assert 0.4 < waited < 1.5, f"ReadTimeout after {waited:.2f}s for a 0.5s read timeout"
        assert s.get(f"{getattr(server, scheme)}/get").status_code == 200


@pytest.mark.parametrize(
    ("action", "raised"),
    [("cancel", httpcloak.StreamCanceled), ("close", httpcloak.StreamError)],
)
def test_cancel_or_close_from_another_thread_during_a_blocked_read(
    session: httpcloak.Session,
    server: TestServer,
    scheme: str,
    action: str,
    raised: type[Exception],
) -> None:
    url = f"{getattr(server, scheme)}/stall?after=10&length=1000000&seconds=30"
    with session.get(url, stream=True) as r:
        reader = r.iter_content()
        next(reader)
        threading.Timer(0.2, getattr(r, action)).start()
        started = time.monotonic()
        with pytest.raises(raised):
            next(reader)
        assert time.monotonic() - started < 2
    assert session.get(f"{getattr(server, scheme)}/get").status_code == 200


def test_a_body_cut_short_of_its_length_still_raises(
    session: httpcloak.Session, server: TestServer, scheme: str
) -> None:
    url = f"{getattr(server, scheme)}/stall?after=100&length=1000000&seconds=0.2"
    with session.get(url, stream=True) as r:
        with pytest.raises(httpcloak.IncompleteRead):
            r.read()


def test_an_event_loop_reads_a_body_of_known_length(
    session: httpcloak.Session, server: TestServer, route: tuple[str, str], scheme: str
) -> None:
    url = f"{getattr(server, scheme)}/bytes/300000"

    async def main() -> bytes:
        async with httpcloak.AsyncSession(verify=server.ca, http_version=route[1]) as s:
            r = await s.get(url)
            return r.content

    assert asyncio.run(main()) == session.get(url).content


LONG_BODY = bytes(range(256)) * 2000  # 512,000 bytes: past the length read directly


def _long_body_with_trailers(peer: Peer, index: int) -> None:
    peer.handshake()
    while (f := peer.next_frame()) is not None:
        if f.type != HEADERS:
            continue
        length = str(len(LONG_BODY)).encode()
        block = STATUS_200 + literal(b"content-length", length) + literal(b"trailer", b"x-sum")
        peer.send(frame(HEADERS, END_HEADERS, f.stream, block))
        for start in range(0, len(LONG_BODY), 16384):
            peer.send(frame(DATA, 0, f.stream, LONG_BODY[start : start + 16384]))
        peer.send(frame(HEADERS, END_HEADERS | END_STREAM, f.stream, literal(b"x-sum", b"ok")))


def test_trailers_after_an_http2_body_read_directly(server: TestServer) -> None:
    # The trailers reach the response through the read that sees the body's end: here the
    # caller's own, with no pump in between.
    with (
        RawH2Server(server.server_pem, _long_body_with_trailers) as raw,
        httpcloak.Session(verify=server.ca, http_version="h2") as s,
    ):
        with s.get(raw.url, stream=True) as r:
            assert b"".join(r.iter_content(65536)) == LONG_BODY
            assert dict(r.trailers.items()) == {"x-sum": "ok"}
        assert s.get(raw.url).trailers["x-sum"] == "ok"
    assert raw.errors == []
