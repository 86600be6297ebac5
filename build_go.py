"""Build the Go engine into httpcloak/_native/ (libhttpcloak.so + the httpcloak.h contract).

Run by `pip install .` / `pip install -e .` through setup.py, or by hand:
    python build_go.py            # the library
    python build_go.py --testserver   # also the loopback test server, into build/
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
GO_DIR = ROOT / "go"
NATIVE_DIR = ROOT / "httpcloak" / "_native"
LIBRARY = NATIVE_DIR / "libhttpcloak.so"
TESTSERVER_DIR = GO_DIR / "testserver"
TESTSERVER_BINARY = ROOT / "build" / "testserver"

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


def _newest_source(directory: Path) -> float:
    paths = [p for p in directory.rglob("*") if p.suffix in {".go", ".h", ".mod", ".sum"}]
    return max((p.stat().st_mtime for p in paths), default=0.0)


def _up_to_date(output: Path, sources: Path) -> bool:
    return output.exists() and output.stat().st_mtime >= _newest_source(sources)


def build_library(force: bool = False) -> Path:
    header = NATIVE_DIR / "httpcloak.h"
    if not force and _up_to_date(LIBRARY, GO_DIR) and header.exists():
        return LIBRARY
    NATIVE_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CGO_ENABLED="1")
    subprocess.run(
        [
            _go(),
            "build",
            "-buildmode=c-shared",
            "-trimpath",
            "-ldflags=-s -w",
            "-o",
            str(LIBRARY),
            ".",
        ],
        cwd=GO_DIR,
        env=env,
        check=True,
    )
    # cgo writes its own header beside the library; ours (go/httpcloak.h) is the contract.
    (NATIVE_DIR / "libhttpcloak.h").unlink(missing_ok=True)
    shutil.copyfile(GO_DIR / "httpcloak.h", header)
    return LIBRARY


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
    force = "--force" in sys.argv
    print(build_library(force))
    if "--testserver" in sys.argv:
        print(build_testserver(force))
