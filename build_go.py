"""Build the Go engine into httpcloak/_native/ (the library + the httpcloak.h contract): the
library is libhttpcloak.so on Linux, libhttpcloak.dylib on macOS, httpcloak.dll on Windows.

Run by `pip install .` / `pip install -e .` through setup.py, or by hand:
    python build_go.py            # the library
    python build_go.py --testserver   # also the loopback test server, into build/
    python build_go.py --patch-only   # only our patched Go modules (before `go vet`/`go test`)
    HTTPCLOAK_GLIBC=2.17 HTTPCLOAK_ARCH=aarch64 python build_go.py   # Linux arm64, by zig
    HTTPCLOAK_OS=windows python build_go.py   # Windows x86_64 (httpcloak.dll), by zig

Go modules we patch (go/patches/, see docs/go-patches.md) are built from a patched copy
under build/go-patched/, made first by every build.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import go_patches

ROOT = Path(__file__).resolve().parent
GO_DIR = ROOT / "go"
NATIVE_DIR = ROOT / "httpcloak" / "_native"
TESTSERVER_DIR = GO_DIR / "testserver"
# A program (Windows runs only names ending in .exe), built for and run on this machine.
TESTSERVER_BINARY = ROOT / "build" / ("testserver.exe" if sys.platform == "win32" else "testserver")
BUILD_DIR = ROOT / "build"

# Release builds target an old glibc so one wheel loads on most Linux systems: set
# HTTPCLOAK_GLIBC=2.17 and `pip install ziglang`; zig's C compiler then links cgo against
# that glibc's symbols, and the wheel is tagged manylinux_2_17 (see setup.py).
GLIBC_ENV = "HTTPCLOAK_GLIBC"
# Cross-compiling for another Linux CPU (HTTPCLOAK_ARCH=aarch64, with HTTPCLOAK_GLIBC set):
# Go targets it by GOARCH, zig's C compiler links cgo for it; the wheel is tagged for it.
ARCH_ENV = "HTTPCLOAK_ARCH"
GOARCH = {"x86_64": "amd64", "aarch64": "arm64"}
_ARCH_ALIASES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
# Cross-compiling for Windows (HTTPCLOAK_OS=windows, x86_64 unless HTTPCLOAK_ARCH says
# otherwise): Go targets it by GOOS, zig's C compiler links cgo against mingw-w64.
OS_ENV = "HTTPCLOAK_OS"
CROSS_OSES = ("linux", "windows")


def _load_library_names() -> ModuleType:
    # The package's own table of names (httpcloak/_library_name.py), read without
    # importing httpcloak, which would load a library that may not be built yet.
    path = ROOT / "httpcloak" / "_library_name.py"
    spec = importlib.util.spec_from_file_location("_httpcloak_library_name", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


library_names = _load_library_names()

MISSING_GO = (
    "httpcloak: building the native library needs the Go toolchain (1.26 or newer) on PATH "
    "and a C compiler for cgo. Install Go from your package manager or https://go.dev/dl/, "
    "or install a prebuilt httpcloak wheel instead."
)


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise SystemExit(MISSING_GO)
    return go


def target_glibc() -> str | None:
    return os.environ.get(GLIBC_ENV) or None


def host_os() -> str:
    return str(library_names.goos())


def target_os() -> str:
    """The system the library is built for, by Go's name: HTTPCLOAK_OS, else this host's."""
    wanted = os.environ.get(OS_ENV)
    if not wanted or wanted == host_os():
        return host_os()
    if wanted not in CROSS_OSES:
        raise SystemExit(f"{OS_ENV}={wanted}: cross-builds go to {' or '.join(CROSS_OSES)}")
    return wanted


def library_path() -> Path:
    """Where the library for the target system goes: its name depends on the system."""
    return NATIVE_DIR / str(library_names.library_name(target_os()))


def host_arch() -> str:
    return _ARCH_ALIASES.get(platform.machine().lower(), platform.machine().lower())


def target_arch() -> str:
    """The CPU the library is built for: HTTPCLOAK_ARCH (x86_64 or aarch64), else this host's."""
    wanted = os.environ.get(ARCH_ENV)
    if not wanted:
        return host_arch()
    arch = _ARCH_ALIASES.get(wanted.lower())
    if arch is None:
        raise SystemExit(f"{ARCH_ENV}={wanted}: expected one of {', '.join(GOARCH)}")
    return arch


def _cross_env() -> dict[str, str]:
    arch = target_arch()
    if target_os() == "windows" and host_os() != "windows":
        return {"GOOS": "windows", "GOARCH": GOARCH[arch]}
    if arch == host_arch():
        return {}
    if target_glibc() is None:
        raise SystemExit(
            f"{ARCH_ENV}={arch} cross-compiles with zig's C compiler: set {GLIBC_ENV} too "
            f"(e.g. {GLIBC_ENV}=2.17) and pip install ziglang"
        )
    return {"GOOS": "linux", "GOARCH": GOARCH[arch]}


def _c_compiler_env() -> dict[str, str]:
    if target_os() == "windows" and host_os() != "windows":
        zig_target, why = f"{target_arch()}-windows-gnu", f"{OS_ENV}=windows"
    elif (glibc := target_glibc()) is not None:
        zig_target, why = f"{target_arch()}-linux-gnu.{glibc}", f"{GLIBC_ENV}={glibc}"
    else:
        return {}
    if importlib.util.find_spec("ziglang") is None:
        raise SystemExit(f"{why} needs the ziglang package: pip install ziglang")
    return {"CC": str(zig_cc_wrapper(zig_target))}


def zig_cc_wrapper(zig_target: str) -> Path:
    """A C compiler command for cgo: zig's, for that target (CPU, system, C library)."""
    wrapper = ROOT / "build" / f"zig-cc-{zig_target}"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m ziglang cc -target {zig_target} "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


@contextlib.contextmanager
def go_build_env() -> Iterator[dict[str, str]]:
    """The environment the library is built in: the target's, with a temporary directory of
    its own (removed after). cgo compiles its C from files in $TMPDIR, and a C compiler looks
    for `#include "httpcloak.h"` beside that file first: any httpcloak.h lying in /tmp (an
    old copy of ours, say) would be compiled instead of go/httpcloak.h."""
    env = dict(os.environ, CGO_ENABLED="1", **_cross_env(), **_c_compiler_env())
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cgo-tmp-", dir=BUILD_DIR) as private_tmp:
        yield dict(env, TMPDIR=private_tmp)


def _newest_source(directory: Path) -> float:
    suffixes = {".go", ".h", ".mod", ".sum", ".patch"}
    paths = [p for p in directory.rglob("*") if p.suffix in suffixes]
    return max((p.stat().st_mtime for p in paths), default=0.0)


def _up_to_date(output: Path, sources: Path) -> bool:
    return output.exists() and output.stat().st_mtime >= _newest_source(sources)


def _refuse_musl() -> None:
    building_for_host_libc = target_os() == "linux" and target_glibc() is None
    if building_for_host_libc and host_os() == "linux" and platform.libc_ver()[0] != "glibc":
        raise SystemExit(
            "httpcloak: this system's C library is not glibc (musl?). Go shared libraries "
            "(-buildmode=c-shared) do not load under musl, so httpcloak cannot be built here; "
            "use a glibc-based system or image."
        )


def patch_go_modules() -> list[Path]:
    """The patched copies of the Go modules go/patches/ names, current with their patches."""
    return go_patches.patch_modules(GO_DIR, BUILD_DIR, _go())


def build_library(force: bool = False) -> Path:
    # A patched copy made anew (its stamp is written last) also makes the library stale.
    patched = [p / go_patches.STAMP_NAME for p in patch_go_modules()]
    header = NATIVE_DIR / "httpcloak.h"
    library = library_path()
    # What the library was built for: the system, the CPU and the glibc it was linked
    # against (if pinned).
    stamp = NATIVE_DIR / ".target"
    built_for = stamp.read_text() if stamp.exists() else ""
    target = f"{target_os()} {target_arch()} {target_glibc() or ''}"
    fresh = _up_to_date(library, GO_DIR) and header.exists()
    fresh = fresh and all(library.stat().st_mtime >= p.stat().st_mtime for p in patched)
    if not force and fresh and built_for == target:
        return library
    _refuse_musl()
    NATIVE_DIR.mkdir(parents=True, exist_ok=True)
    # One system's library at a time: a wheel packs whatever _native/ holds.
    for name in library_names.LIBRARY_NAMES.values():
        if name != library.name:
            (NATIVE_DIR / name).unlink(missing_ok=True)
    with go_build_env() as env:
        subprocess.run(
            [
                _go(),
                "build",
                "-buildmode=c-shared",
                "-trimpath",
                "-ldflags=-s -w",
                "-o",
                str(library),
                ".",
            ],
            cwd=GO_DIR,
            env=env,
            check=True,
        )
    # cgo writes its own header beside the library; ours (go/httpcloak.h) is the contract.
    (NATIVE_DIR / f"{library.stem}.h").unlink(missing_ok=True)
    shutil.copyfile(GO_DIR / "httpcloak.h", header)
    stamp.write_text(target)
    return library


def build_testserver(force: bool = False) -> Path:
    if not force and _up_to_date(TESTSERVER_BINARY, TESTSERVER_DIR):
        return TESTSERVER_BINARY
    TESTSERVER_BINARY.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [_go(), "build", "-trimpath", "-o", str(TESTSERVER_BINARY), "."],
        cwd=TESTSERVER_DIR,
        check=True,
    )
    return TESTSERVER_BINARY


if __name__ == "__main__":
    if "--patch-only" in sys.argv:
        for patched in patch_go_modules():
            print(patched)
        raise SystemExit(0)
    force = "--force" in sys.argv
    print(build_library(force))
    if "--testserver" in sys.argv:
        print(build_testserver(force))
