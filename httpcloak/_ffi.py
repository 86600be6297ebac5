"""The one door to the Go library: the cdef, loading, errors, and memory handed out by Go.

Nothing else in the package touches cffi. The declarations come from the header that is
the C contract (go/httpcloak.h, shipped as _native/httpcloak.h), never from a second list.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from cffi import FFI

from . import _exceptions as exc

ABI_VERSION = 7
NATIVE_DIR = Path(__file__).parent / "_native"
HEADER_PATH = NATIVE_DIR / "httpcloak.h"
LIBRARY_PATH = NATIVE_DIR / "libhttpcloak.so"

READ_EOF = 0
READ_ERROR = -1
READ_PENDING = -2
WRITE_RESPONDED = -3

# How long one native call may wait before handing control back to Python, so that
# Ctrl-C and other threads are answered promptly (DESIGN.md rule 5).
WAIT_SLICE_MS = 100

_REBUILD_HINT = "rebuild it with `pip install -e .` (or `python build_go.py`) on a machine with Go"


def cdef_from_header(header_text: str) -> str:
    """The declarations between the HC_CDEF markers, as cffi reads them."""
    match = re.search(r"/\* HC_CDEF_BEGIN \*/(.*)/\* HC_CDEF_END \*/", header_text, re.S)
    if match is None:
        raise ImportError(f"httpcloak: {HEADER_PATH} has no HC_CDEF section; {_REBUILD_HINT}")
    return match.group(1)


def _load() -> tuple[FFI, Any]:
    if not LIBRARY_PATH.exists() or not HEADER_PATH.exists():
        raise ImportError(
            f"httpcloak: the native library is missing ({LIBRARY_PATH}); {_REBUILD_HINT}"
        )
    ffi = FFI()
    ffi.cdef(cdef_from_header(HEADER_PATH.read_text()))
    lib: Any = ffi.dlopen(str(LIBRARY_PATH))
    found = int(lib.hc_abi_version())
    if found != ABI_VERSION or int(lib.HC_ABI_VERSION) != ABI_VERSION:
        raise ImportError(
            f"httpcloak: native library ABI version {found} does not match the Python "
            f"package's {ABI_VERSION}; {_REBUILD_HINT}"
        )
    return ffi, lib


ffi, lib = _load()

# Kind number -> exception class; the numbers are enum hc_kind in the header.
_KIND_TO_ERROR: dict[int, type[exc.HTTPCloakError]] = {
    lib.HC_ERR_INVALID_ARGUMENT: exc.InvalidArgument,
    lib.HC_ERR_CLOSED: exc.StreamClosed,
    lib.HC_ERR_DNS: exc.DNSError,
    lib.HC_ERR_CONNECT: exc.ConnectError,
    lib.HC_ERR_TLS: exc.TLSError,
    lib.HC_ERR_PROXY: exc.ProxyError,
    lib.HC_ERR_CONNECT_TIMEOUT: exc.ConnectTimeout,
    lib.HC_ERR_READ_TIMEOUT: exc.ReadTimeout,
    lib.HC_ERR_TRUNCATED: exc.IncompleteRead,
    lib.HC_ERR_PROTOCOL: exc.ProtocolError,
    lib.HC_ERR_CANCELED: exc.StreamCanceled,
    lib.HC_ERR_TOO_MANY_REDIRECTS: exc.TooManyRedirects,
    lib.HC_ERR_INTERNAL: exc.InternalError,
    lib.HC_ERR_TOTAL_TIMEOUT: exc.TotalTimeout,
}

TRUNCATED = int(lib.HC_ERR_TRUNCATED)
CLOSED = int(lib.HC_ERR_CLOSED)


class ForkGuard:
    """The Go runtime's threads do not survive fork(); in a child every call must refuse."""

    forked = False

    @classmethod
    def check(cls) -> None:
        if cls.forked:
            raise exc.ForkedProcessError(
                "httpcloak cannot be used in a process forked after it was loaded: the Go "
                "runtime does not survive fork(). Import httpcloak only in the child (never "
                "before the fork), or use multiprocessing with the 'spawn' start method."
            )


def _mark_forked() -> None:
    ForkGuard.forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_mark_forked)

check_not_forked = ForkGuard.check

_local = threading.local()


def error_slot() -> Any:
    """A per-thread hc_error, reused so the read loop allocates nothing."""
    slot = getattr(_local, "err", None)
    if slot is None:
        slot = _local.err = ffi.new("hc_error *")
    return slot


def error_kind(err: Any) -> int:
    return int(err.kind)


def error_message(err: Any) -> str:
    raw: bytes = ffi.string(err.message)  # type: ignore[assignment]
    return raw.decode("utf-8", "replace")


def raise_error(err: Any) -> NoReturn:
    """Raise the exception class mapped from err's kind, carrying the Go reason."""
    kind = int(err.kind)
    cls = _KIND_TO_ERROR.get(kind, exc.InternalError)
    message = error_message(err) or f"native error kind {kind}"
    raise cls(message)


class OwnedHandle:
    """A native handle released exactly once, whichever thread gets there first.

    ``value`` reads 0 once released, which the library refuses as closed."""

    __slots__ = ("_lock", "_release", "value")

    def __init__(self, value: int, release: Callable[[int, Any], int]) -> None:
        self.value = value
        self._release = release
        self._lock = threading.Lock()

    def release(self) -> bool:
        """Release the handle; True for the one call that did (once it is done)."""
        with self._lock:
            handle, self.value = self.value, 0
        if handle == 0:
            return False
        if ForkGuard.forked:
            return True
        err = error_slot()
        if self._release(handle, err) != 0 and int(err.kind) != CLOSED:
            raise_error(err)
        return True


def release_buffer(buffer: Any) -> None:
    """Let go of the caller's memory behind ffi.from_buffer now, not when a traceback cycle
    is collected: a memoryview still exported to cffi at that point crashes the interpreter."""
    if buffer != ffi.NULL:
        ffi.release(buffer)


def take_json(pointer: Any, length: int) -> Any:
    """Decode JSON that Go handed out, and free it: the only place hc_free is called."""
    try:
        return json.loads(bytes(ffi.unpack(pointer, length)))  # type: ignore[arg-type]
    finally:
        lib.hc_free(pointer)


def call_op(function: Callable[..., int], op: str, args: dict[str, Any], *target: int) -> Any:
    """Run {"op","args"} through one of the library's *_call exports (after the target's
    handle, if it takes one) and return the JSON result."""
    check_not_forked()
    encoded = encode_json({"op": op, "args": args})
    out = ffi.new("char **")
    err = error_slot()
    length = function(*target, encoded, len(encoded), out, err)
    if length < 0:
        raise_error(err)
    return take_json(out[0], length)


def encode_json(value: Any) -> bytes:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
    except RecursionError:
        # Only a caller's own option or state can nest this deep: bad input, said so.
        raise exc.InvalidArgument(
            "an argument nests lists or dicts too deeply to be sent to the engine"
        ) from None


def process_call(op: str, **args: Any) -> Any:
    """Run one process-wide operation (hc_call, go/process_calls.go); returns its JSON result."""
    check_not_forked()
    return call_op(lib.hc_call, op, args)
