"""The DLLs a Windows PE file imports, checked against those every Windows 10+ has.

python ci/dll_imports.py httpcloak.dll      (exit 1, naming them, if any other is imported)

A small reader of the PE format's import directory, so the check needs no Windows tools.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

# The system's own DLLs: the kernel's, Winsock's, and the Universal C runtime's API sets
# (part of Windows since 10; zig links mingw-w64 against the UCRT).
SYSTEM_DLLS = {"kernel32.dll", "ntdll.dll", "ws2_32.dll", "advapi32.dll", "winmm.dll", "bcrypt.dll"}
SYSTEM_PREFIXES = ("api-ms-win-crt-", "api-ms-win-core-")


def imported_dlls(image: bytes) -> list[str]:
    if image[:2] != b"MZ":
        raise ValueError("not a PE file (no MZ header)")
    pe = struct.unpack_from("<I", image, 0x3C)[0]
    if image[pe : pe + 4] != b"PE\0\0":
        raise ValueError("not a PE file (no PE signature)")
    sections_count = struct.unpack_from("<H", image, pe + 6)[0]
    optional_size = struct.unpack_from("<H", image, pe + 20)[0]
    optional = pe + 24
    if struct.unpack_from("<H", image, optional)[0] != 0x20B:
        raise ValueError("not a 64-bit (PE32+) image")
    import_rva = struct.unpack_from("<I", image, optional + 112 + 8)[0]  # data directory 1
    sections = [
        struct.unpack_from("<IIII", image, optional + optional_size + 40 * i + 8)
        for i in range(sections_count)
    ]  # virtual size, virtual address, raw size, raw offset

    def offset(rva: int) -> int:
        for virtual_size, address, raw_size, raw in sections:
            if address <= rva < address + max(virtual_size, raw_size):
                return int(raw + rva - address)
        raise ValueError(f"RVA {rva:#x} is in no section")

    names: list[str] = []
    entry = offset(import_rva)
    while True:
        name_rva = struct.unpack_from("<I", image, entry + 12)[0]
        if name_rva == 0:
            return names
        start = offset(name_rva)
        names.append(image[start : image.index(b"\0", start)].decode("ascii"))
        entry += 20


def _is_system_dll(name: str) -> bool:
    return name in SYSTEM_DLLS or name.startswith(SYSTEM_PREFIXES)


def main() -> None:
    dlls = imported_dlls(Path(sys.argv[1]).read_bytes())
    print(f"{sys.argv[1]} imports: {', '.join(dlls)}")
    foreign = [d for d in dlls if not _is_system_dll(d.lower())]
    if not dlls or foreign:
        sys.exit(f"{sys.argv[1]} needs DLLs Windows does not ship: {foreign or 'none found?'}")


if __name__ == "__main__":
    main()
