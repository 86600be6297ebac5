"""AsyncSession on an event loop that watches no descriptors, as Windows' default
(proactor) loop: it cannot add_reader, only read sockets, so the notifier's socket is read
by a task with loop.sock_recv. This loop here is a selector loop that refuses add_reader
like the proactor does; the socket reads are the real ones."""

from __future__ import annotations

import asyncio
import os
import socket
import stat

import pytest

import httpcloak
from httpcloak import _abi

from servers import TestServer


class _NoReaderLoop(asyncio.SelectorEventLoop):
    """add_reader refused as by asyncio.ProactorEventLoop; sock_recv works (its own
    bookkeeping still removes the readers it adds)."""

    def add_reader(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError


def _run_without_add_reader(main: object) -> None:
    loop = _NoReaderLoop()
    try:
        loop.run_until_complete(main)  # type: ignore[arg-type]
    finally:
        loop.close()


def test_streams_on_a_loop_without_add_reader(server: TestServer) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession(verify=server.ca) as s:
            for base in (server.http, server.https):
                async with s.stream("GET", f"{base}/stream/10") as r:
                    lines = [line async for line in r.aiter_lines()]
                assert r.status_code == 200 and len(lines) == 10

            async def lines_of(n: int) -> int:
                async with s.stream("GET", f"{server.https}/stream/{n}") as r:
                    return len([line async for line in r.aiter_lines()])

            # Many streams at once, one notifier socket: every one is woken.
            assert await asyncio.gather(*(lines_of(n) for n in range(1, 41))) == list(range(1, 41))

    _run_without_add_reader(main())


def test_closing_the_session_releases_the_notifier_socket(server: TestServer) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession(verify=server.ca) as s:
            r = await s.get(f"{server.http}/get")
            assert r.status_code == 200
            notifier = s._notifier
            assert notifier is not None and notifier._reader is not None
            assert notifier._socket is not None
            assert stat.S_ISSOCK(os.fstat(notifier._fd).st_mode)
        await asyncio.sleep(0)  # the cancelled reader task ends
        assert notifier._reader.done()
        # Python's socket object let go of the socket (the library closes it, once).
        assert notifier._socket.fileno() == -1

    _run_without_add_reader(main())
    assert _abi.stats()["notifiers"] == 0


class _FailingReadLoop(_NoReaderLoop):
    """A loop whose socket read fails when a wake-up comes (a proactor whose socket broke)."""

    async def sock_recv(self, sock: socket.socket, n: int) -> bytes:
        await super().sock_recv(sock, n)
        raise OSError("the notifier socket broke")


def test_a_failing_notifier_read_raises_in_every_waiter(server: TestServer) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession() as s:
            # The stream waits (for its headers, or at the latest for the second piece two
            # seconds on); the wake-up's read fails, and the waiting read is told why.
            with pytest.raises(httpcloak.InternalError, match="the notifier socket broke"):
                async with s.stream("GET", f"{server.http}/drip?count=2&interval=2") as r:
                    [chunk async for chunk in r.aiter_bytes()]
            # Later waits raise at once instead of waiting for a reader that is gone.
            with pytest.raises(httpcloak.InternalError, match="notifier's socket"):
                await s.get(f"{server.http}/drip?count=2&interval=30")

    loop = _FailingReadLoop()
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
