"""Waiting for many native streams in one asyncio event loop, without a thread each.

The library keeps one pipe per notifier; the loop watches its read end (add_reader). A
stream with nothing to give is armed, and its id comes back from hc_notifier_drain once
it has news. One notifier serves every stream of an AsyncSession in one event loop.
"""

from __future__ import annotations

import asyncio

from . import _abi
from ._abi import NativeStream
from ._exceptions import InvalidArgument


class LoopNotifier:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._native = _abi.Notifier()
        self.loop = loop
        self._fd = self._native.fd
        # Per stream, every task waiting on it (a reader and an uploader may both wait).
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        loop.add_reader(self._fd, self._on_readable)

    @property
    def handle(self) -> int:
        """The native notifier; 0 once closed."""
        return self._native.handle

    def watch(self, stream: NativeStream) -> None:
        stream.watch(self.handle)

    def check_loop(self) -> None:
        """Refuse use from another event loop than the one this notifier watches from."""
        if asyncio.get_running_loop() is not self.loop:
            raise InvalidArgument(
                "an AsyncSession serves the event loop it was first used in; "
                "create one session per event loop"
            )

    async def wait(self, stream: NativeStream) -> None:
        """Return once the stream may have news (possibly spuriously)."""
        self.check_loop()
        stream_handle = stream.handle
        future: asyncio.Future[None] = self.loop.create_future()
        waiting = self._waiters.setdefault(stream_handle, [])
        waiting.append(future)
        try:
            _abi.stream_arm(stream_handle)
            await future
        finally:
            if future in waiting:
                waiting.remove(future)
            if not waiting and self._waiters.get(stream_handle) is waiting:
                del self._waiters[stream_handle]

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
        """Wake every waiter and release the pipe. From another thread than the loop's, the
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
        if not self.loop.is_closed():
            self.loop.remove_reader(self._fd)
        for waiting in self._waiters.values():
            for future in waiting:
                if not future.done():
                    future.set_result(None)  # waiters look again and find the stream closed
        self._waiters.clear()
        self._native.close()
