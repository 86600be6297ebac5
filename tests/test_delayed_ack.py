"""A server held by our delayed ACK does not stall a body: reading the rest of a body, the
engine acknowledges what it read before it waits (TCP_QUICKACK), on the caller's thread and
on a goroutine alike.

The server here sends as nginx does with sendfile and tcp_nopush: the head and a 64 KiB body
corked into one burst from a socket whose send buffer holds only part of it. It sends the
rest only once we acknowledge the first part; a client that waits with its ACK delayed
(Linux holds it up to 40 ms between a request and its answer) stalls on nearly every GET,
which made 64 KiB GETs from nginx about half as fast as they are now."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

import httpcloak

BODY = bytes(range(256)) * 256  # 64 KiB
HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\n\r\n"
SEND_BUFFER = 16384  # the kernel doubles it: the burst does not fit
GETS = 40
# The delayed-ACK timer is 40 ms; a GET here takes about a millisecond.
STALLED = 0.035
AT_MOST_STALLED = 3  # a loaded machine may hold a GET that long now and then


class CorkingServer:
    """Answers every GET on a connection with HEAD and BODY, corked (TCP_CORK) and from a
    small send buffer (SO_SNDBUF)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        pending = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                _, pending = pending.split(b"\r\n\r\n", 1)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
                conn.sendall(HEAD % len(BODY))
                conn.sendall(BODY)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def corking_server() -> Iterator[CorkingServer]:
    server = CorkingServer()
    yield server
    server.close()


def stalled(durations: list[float]) -> list[float]:
    return [round(d, 3) for d in durations if d >= STALLED]


def test_a_streamed_body_read_on_the_callers_thread_does_not_wait_for_the_ack_timer(
    corking_server: CorkingServer,
) -> None:
    durations = []
    with httpcloak.Session() as s:
        for _ in range(GETS):
            started = time.perf_counter()
            with s.get(corking_server.url, stream=True) as r:
                assert b"".join(r.iter_content(65536)) == BODY
            durations.append(time.perf_counter() - started)
    assert len(stalled(durations)) <= AT_MOST_STALLED, stalled(durations)


def test_a_buffered_body_does_not_wait_for_the_ack_timer(corking_server: CorkingServer) -> None:
    durations = []
    with httpcloak.Session() as s:
        for _ in range(GETS):
            started = time.perf_counter()
            assert s.get(corking_server.url).content == BODY
            durations.append(time.perf_counter() - started)
    assert len(stalled(durations)) <= AT_MOST_STALLED, stalled(durations)


def test_a_body_read_by_the_event_loop_does_not_wait_for_the_ack_timer(
    corking_server: CorkingServer,
) -> None:
    """An event loop's reads come from a goroutine reading in Go's poller."""

    async def main() -> list[float]:
        durations = []
        async with httpcloak.AsyncSession() as s:
            for _ in range(GETS):
                started = time.perf_counter()
                async with await s.get(corking_server.url, stream=True) as r:
                    received = b"".join([chunk async for chunk in r.aiter_content(65536)])
                assert received == BODY
                durations.append(time.perf_counter() - started)
        return durations

    durations = asyncio.run(main())
    assert len(stalled(durations)) <= AT_MOST_STALLED, stalled(durations)
