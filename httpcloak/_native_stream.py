"""One native stream handle: open, wait for headers, read into caller buffers, close.

This is the only I/O the sync API does. Every native call waits at most one short slice
(_ffi.WAIT_SLICE_MS) and then returns to Python, so signals and other threads get through.
"""

from __future__ import annotations

from typing import Any

from . import _ffi
from ._body import BORROW_MIN_SIZE, InlineBody
from ._exceptions import StreamClosed


class NativeStream:
    __slots__ = ("_borrowed", "_owned", "__weakref__")

    def __init__(
        self, session_handle: int, request: dict[str, Any], body: InlineBody | None
    ) -> None:
        """Start the request; body None means it will be written with write()/end_body().
        A large body is lent to the library, not copied: it stays exported until close()."""
        _ffi.check_not_forked()
        encoded = _ffi.encode_json(request)
        err = _ffi.error_slot()
        self._borrowed: Any = None
        open_stream = _ffi.lib.hc_stream_open  # copies the body before it returns
        if body is None:
            body_ptr, body_len = _ffi.ffi.NULL, _ffi.lib.HC_BODY_STREAMED
        else:
            body_ptr = _ffi.ffi.from_buffer("uint8_t[]", body) if body else _ffi.ffi.NULL
            body_len = len(body)
            if body_len >= BORROW_MIN_SIZE:
                open_stream = _ffi.lib.hc_stream_open_borrowed
                self._borrowed = body_ptr
        handle = 0
        try:
            handle = open_stream(session_handle, encoded, len(encoded), body_ptr, body_len, err)
        finally:
            if handle == 0 or self._borrowed is None:
                self._borrowed = None
                _ffi.release_buffer(body_ptr)
        if handle == 0:
            _ffi.raise_error(err)
        self._owned = _ffi.OwnedHandle(handle, _ffi.lib.hc_stream_close)

    @property
    def handle(self) -> int:
        """The native handle; 0 once closed."""
        return self._owned.value

    def _live(self) -> int:
        """The handle for a call that needs an open stream (closed here, by another task or
        thread, or with the session: the library would only know a handle number)."""
        handle = self._owned.value
        if handle == 0:
            raise StreamClosed("the stream is closed")
        return handle

    def wait_meta(self) -> dict[str, Any]:
        """Block until the response headers arrive, in slices so Ctrl-C gets through."""
        out = _ffi.ffi.new("char **")
        out_len = _ffi.ffi.new("int64_t *")
        while True:
            _ffi.check_not_forked()
            err = _ffi.error_slot()
            ready = _ffi.lib.hc_stream_meta(self._live(), _ffi.WAIT_SLICE_MS, out, out_len, err)
            if ready == 1:
                meta: dict[str, Any] = _ffi.take_json(out[0], out_len[0])
                return meta
            if ready < 0:
                _ffi.raise_error(err)

    def readinto(self, target: Any, size: int) -> int:
        """Copy up to size bytes into the cdata buffer target; 0 means end of body."""
        lib, err = _ffi.lib, _ffi.error_slot()
        while True:
            _ffi.check_not_forked()  # before every call: in a forked child it would never return
            n: int = lib.hc_stream_read(self._live(), target, size, _ffi.WAIT_SLICE_MS, err)
            if n >= 0:
                return n
            if n != _ffi.READ_PENDING:
                _ffi.raise_error(err)

    def write_once(self, data: bytes) -> int:
        """One write slice: len(data) when taken, READ_PENDING, or WRITE_RESPONDED."""
        _ffi.check_not_forked()
        source = _ffi.ffi.from_buffer("uint8_t[]", data)
        err = _ffi.error_slot()
        try:
            n: int = _ffi.lib.hc_stream_write(
                self._live(), source, len(data), _ffi.WAIT_SLICE_MS, err
            )
        finally:
            _ffi.release_buffer(source)
        if n == _ffi.READ_ERROR:
            _ffi.raise_error(err)
        return n

    def write(self, data: bytes) -> bool:
        """Send a piece of a streamed body; False when the server already answered."""
        while True:
            n = self.write_once(data)
            if n == len(data):
                return True
            if n == _ffi.WRITE_RESPONDED:
                return False

    def read_nowait(self, target: Any, size: int) -> int:
        """One read that does not wait: bytes copied, 0 at the end, or READ_PENDING."""
        _ffi.check_not_forked()
        err = _ffi.error_slot()
        n: int = _ffi.lib.hc_stream_read(self._live(), target, size, 0, err)
        if n == _ffi.READ_ERROR:
            _ffi.raise_error(err)
        return n

    def write_nowait(self, data: bytes) -> int:
        """One write that does not wait: len(data), READ_PENDING or WRITE_RESPONDED."""
        _ffi.check_not_forked()
        source = _ffi.ffi.from_buffer("uint8_t[]", data)
        err = _ffi.error_slot()
        try:
            n: int = _ffi.lib.hc_stream_write(self._live(), source, len(data), 0, err)
        finally:
            _ffi.release_buffer(source)
        if n == _ffi.READ_ERROR:
            _ffi.raise_error(err)
        return n

    def poll_meta(self) -> dict[str, Any] | None:
        """The response headers if they have arrived, without waiting."""
        _ffi.check_not_forked()
        out = _ffi.ffi.new("char **")
        out_len = _ffi.ffi.new("int64_t *")
        err = _ffi.error_slot()
        ready = _ffi.lib.hc_stream_meta(self._live(), 0, out, out_len, err)
        if ready < 0:
            _ffi.raise_error(err)
        if ready == 0:
            return None
        meta: dict[str, Any] = _ffi.take_json(out[0], out_len[0])
        return meta

    def end_body(self) -> None:
        _ffi.check_not_forked()
        err = _ffi.error_slot()
        if _ffi.lib.hc_stream_write_close(self._live(), err) != 0:
            _ffi.raise_error(err)

    def cancel(self) -> None:
        if not _ffi.ForkGuard.forked:
            _ffi.lib.hc_stream_cancel(self.handle)

    def close(self) -> None:
        """Release the handle; safe to call twice and from any thread. A lent body is given
        back only after: once hc_stream_close returns, the library no longer reads it."""
        owned = getattr(self, "_owned", None)  # None: the open failed (nothing was lent)
        if owned is not None and owned.release() and self._borrowed is not None:
            # Only the call that closed the handle: another one may return before it is done.
            _ffi.release_buffer(self._borrowed)
            self._borrowed = None

    def __del__(self) -> None:
        # A stream dropped unclosed must not give back a lent body the library still reads.
        if getattr(self, "_borrowed", None) is not None:
            self.close()
