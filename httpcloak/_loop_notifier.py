"""Waiting for many native streams in one asyncio event loop, without a thread each.

The library keeps one socket pair per notifier; the loop watches its read end (add_reader).
A stream with nothing to give is armed, and its id comes back from hc_notifier_drain once
it has news. One notifier serves every stream of an AsyncSession in one event loop.

Loops that watch no descriptors (Windows' default, the proactor loop) can still read a
socket: there a task reads the wake-ups with loop.sock_recv instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from . import _abi
from ._abi import NativeStream
from ._exceptions import InternalError, InvalidArgument


class LoopNotifier:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._native = _abi.Notifier()
        self.loop = loop
        self._fd = self._native.fd
        # Per stream, every task waiting on it (a reader and an uploader may both wait).
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._closed = False
        # Without add_reader: the socket object (borrowing the library's socket, never
        # closing it) and the task reading it.
        self._socket: socket.socket | None = None
        self._reader: asyncio.Task[None] | None = None
        try:
            loop.add_reader(self._fd, self._on_readable)
        except NotImplementedError:
            self._socket = socket.socket(fileno=self._fd)
            self._socket.setblocking(False)
            self._reader = loop.create_task(self._read_wakeups())
            self._reader.add_done_callback(self._reader_ended)
        # Why the reading task stopped, if it failed: every wait raises it, none hangs.
        self._reader_error: InternalError | None = None

    @property
    def handle(self) -> int:
        """The native notifier; 0 once closed."""
        return 0 if self._closed else self._native.handle

    def watch(self, stream: NativeStream) -> None:
        stream.watch(self.handle)

    def check_loop(self) -> None:
        """Refuse use from another event loop than the one this notifier watches from."""
        if asyncio.get_running_loop() is not self.loop:
            raise InvalidArgument(
                "an AsyncSession serves the event loop it was first used in; "
                "create one session per event loop"
            )

    async def wait(self, stream: NativeStream, armed: bool = False) -> None:
        """Return once the stream may have news (possibly spuriously); armed: the call that
        found nothing armed the stream already (NativeStream.read_or_arm)."""
        self.check_loop()
        if self._reader_error is not None:
            raise self._reader_error
        stream_handle = stream.handle
        future: asyncio.Future[None] = self.loop.create_future()
        waiting = self._waiters.setdefault(stream_handle, [])
        waiting.append(future)
        try:
            if not armed:
                _abi.stream_arm(stream_handle)
            await future
        finally:
            if future in waiting:
                waiting.remove(future)
            if not waiting and self._waiters.get(stream_handle) is waiting:
                del self._waiters[stream_handle]

    async def _read_wakeups(self) -> None:
        assert self._socket is not None
        while await self.loop.sock_recv(self._socket, 64):
            self._on_readable()

    def _reader_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        self._reader_error = InternalError(
            f"the event loop failed reading the notifier's socket: {task.exception()!r}"
        )
        for waiting in self._waiters.values():
            for future in waiting:
                if not future.done():
                    future.set_exception(self._reader_error)

    def _on_readable(self) -> None:
        while True:
            ready = self._native.drain()  # in a forked child none: the waiters raise
            for stream_handle in ready:
                for future in self._waiters.pop(stream_handle, []):
                    if not future.done():
                        future.set_result(None)
            if len(ready) < self._native.BATCH:
                return

    def close(self) -> None:
        """Wake every waiter and release the socket. From another thread than the loop's, the
        work is handed to the loop (its reader and futures are not thread-safe)."""
        if self.handle == 0:
            return
        if self.loop.is_running() and not self._in_loop_thread():
            try:
                self.loop.call_soon_threadsafe(self._close_in_loop)
                return
            except RuntimeError:  # the loop closed meanwhile: nobody waits any more
                pass
        self._close_in_loop()

    def _in_loop_thread(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    def _close_in_loop(self) -> None:
        if self.handle == 0:
            return
        self._closed = True
        if self._reader is None and not self.loop.is_closed():
            self.loop.remove_reader(self._fd)
        for waiting in self._waiters.values():
            for future in waiting:
                if not future.done():
                    future.set_result(None)  # waiters look again and find the stream closed
        self._waiters.clear()
        if self._reader is not None:
            # Cancelling the read cancels the loop's pending receive (an overlapped one is
            # aborted when the socket closes); then the socket goes at once, as nothing
            # guarantees the loop runs again to let go of it later.
            self._reader.cancel()
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.detach()  # the library owns the socket and closes it
        self._native.close()
