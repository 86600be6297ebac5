"""Loading the Go library: the cdef, dlopen, the ABI version check, error kinds, hc_free.

Only the facade over the C ABI (_abi.py) imports this module. The declarations come from the
header that is the C contract (go/httpcloak.h, shipped as _native/httpcloak.h), never from a
second list.
"""

from __future__ import annotations

import json
import json.scanner
import re
from pathlib import Path
from typing import Any

from cffi import FFI

from . import _exceptions as exc
from ._library_name import goos, library_name

ABI_VERSION = 12
NATIVE_DIR = Path(__file__).parent / "_native"
HEADER_PATH = NATIVE_DIR / "httpcloak.h"
LIBRARY_PATH = NATIVE_DIR / library_name(goos())

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
KIND_TO_ERROR: dict[int, type[exc.HTTPCloakError]] = {
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


# The library's JSON is UTF-8: decoded as json.loads does, without its encoding sniffing.
_decode = json.JSONDecoder().decode
# Its C scanner alone, for the compact JSON Go writes (no whitespace around it): the same
# values without decode()'s Python frames and whitespace matches, on every response.
# (typeshed declares the scanner's argument wrongly: it is the decoder to take settings from.)
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def take_json(pointer: Any, length: int) -> Any:
    """Decode JSON that Go handed out, and free it: the only place hc_free is called."""
    try:
        text = ffi.buffer(pointer, length)[:].decode("utf-8", "surrogatepass")
    finally:
        lib.hc_free(pointer)
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        end = -1
    # Anything else (whitespace, a second value, malformed text): decode() says what.
    return value if end == len(text) else _decode(text)
