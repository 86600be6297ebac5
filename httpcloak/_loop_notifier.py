"""Waiting for many native streams in one asyncio event loop, without a thread each.

The library keeps one pipe per notifier; the loop watches its read end (add_reader). A
stream with nothing to give is armed, and its id comes back from hc_notifier_drain once
it has news. One notifier serves every stream of an AsyncSession in one event loop.
"""

from __future__ import annotations

import asyncio

from . import _ffi
from ._exceptions import InvalidArgument

_DRAIN_BATCH = 256


class LoopNotifier:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        _ffi.check_not_forked()
        fd_out = _ffi.ffi.new("int32_t *")
        err = _ffi.error_slot()
        handle = _ffi.lib.hc_notifier_new(fd_out, err)
        if handle == 0:
            _ffi.raise_error(err)
        self.handle: int = handle
        self.loop = loop
        self._fd: int = fd_out[0]
        self._ids = _ffi.ffi.new(f"int64_t[{_DRAIN_BATCH}]")
        # Per stream, every task waiting on it (a reader and an uploader may both wait).
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        loop.add_reader(self._fd, self._on_readable)

    def watch(self, stream_handle: int) -> None:
        _ffi.check_not_forked()
        err = _ffi.error_slot()
        if _ffi.lib.hc_stream_watch(stream_handle, self.handle, err) != 0:
            _ffi.raise_error(err)

    def check_loop(self) -> None:
        """Refuse use from another event loop than the one this notifier watches from."""
        if asyncio.get_running_loop() is not self.loop:
            raise InvalidArgument(
                "an AsyncSession serves the event loop it was first used in; "
                "create one session per event loop"
            )

    async def wait(self, stream_handle: int) -> None:
        """Return once the stream may have news (possibly spuriously)."""
        self.check_loop()
        future: asyncio.Future[None] = self.loop.create_future()
        waiting = self._waiters.setdefault(stream_handle, [])
        waiting.append(future)
        try:
            _ffi.check_not_forked()
            err = _ffi.error_slot()
            if _ffi.lib.hc_stream_arm(stream_handle, err) != 0:
                _ffi.raise_error(err)
            await future
        finally:
            if future in waiting:
                waiting.remove(future)
            if not waiting and self._waiters.get(stream_handle) is waiting:
                del self._waiters[stream_handle]

    def _on_readable(self) -> None:
        if _ffi.ForkGuard.forked:
            return  # a loop callback: the waiters' own calls raise the error
        err = _ffi.error_slot()
        while True:
            count = _ffi.lib.hc_notifier_drain(self.handle, self._ids, _DRAIN_BATCH, err)
            if count <= 0:
                return
            for i in range(count):
                for future in self._waiters.pop(int(self._ids[i]), []):
                    if not future.done():
                        future.set_result(None)
            if count < _DRAIN_BATCH:
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
        if not _ffi.ForkGuard.forked:
            _ffi.lib.hc_notifier_close(self.handle)
        self.handle = 0
