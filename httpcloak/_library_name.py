"""The native library's file name on each system, for the package's loader and for the
build (build_go.py, which reads this file without importing the package).

Keyed by Go's GOOS names. Windows takes no "lib" prefix, as its own DLLs do not.
"""

from __future__ import annotations

import sys

LIBRARY_NAMES = {
    "linux": "libhttpcloak.so",
    "darwin": "libhttpcloak.dylib",
    "windows": "httpcloak.dll",
}


def goos(platform: str = sys.platform) -> str:
    """Go's name for a Python sys.platform: win32 -> windows, darwin, linux, ..."""
    if platform == "win32" or platform == "cygwin":
        return "windows"
    if platform.startswith("linux"):
        return "linux"
    return platform.rstrip("0123456789")  # freebsd14 -> freebsd


def library_name(system: str) -> str:
    """The library's file name on the system of that GOOS (ELF systems share Linux's)."""
    return LIBRARY_NAMES.get(system, LIBRARY_NAMES["linux"])
