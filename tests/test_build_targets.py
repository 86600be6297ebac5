"""Which CPU and system build_go.py builds the library for (HTTPCLOAK_ARCH, HTTPCLOAK_OS),
and what a cross build needs.

The aarch64 wheel itself is built, checked and run under emulation by ci/arm64_smoke.sh."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from servers import SOURCE_ROOT

sys.path.insert(0, str(SOURCE_ROOT))
import build_go  # noqa: E402


def _other_arch() -> str:
    return "aarch64" if build_go.host_arch() == "x86_64" else "x86_64"


@pytest.mark.parametrize(
    ("name", "arch"), [("arm64", "aarch64"), ("AArch64", "aarch64"), ("amd64", "x86_64")]
)
def test_go_and_linux_names_of_a_cpu_both_work(
    monkeypatch: pytest.MonkeyPatch, name: str, arch: str
) -> None:
    monkeypatch.setenv(build_go.ARCH_ENV, name)
    assert build_go.target_arch() == arch


def test_without_a_target_the_host_cpu_is_built_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(build_go.ARCH_ENV, raising=False)
    assert build_go.target_arch() == build_go.host_arch()
    assert build_go._cross_env() == {}  # the host build's environment is untouched


def test_an_unknown_cpu_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(build_go.ARCH_ENV, "riscv64")
    with pytest.raises(SystemExit, match="HTTPCLOAK_ARCH=riscv64: expected one of x86_64, aarch64"):
        build_go.target_arch()


def test_a_cross_build_without_zig_glibc_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(build_go.ARCH_ENV, _other_arch())
    monkeypatch.delenv(build_go.GLIBC_ENV, raising=False)
    with pytest.raises(SystemExit, match="set HTTPCLOAK_GLIBC too"):
        build_go._cross_env()


def test_a_cross_build_sets_go_and_zig_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    arch = _other_arch()
    monkeypatch.setenv(build_go.ARCH_ENV, arch)
    monkeypatch.setenv(build_go.GLIBC_ENV, "2.17")
    assert build_go._cross_env() == {"GOOS": "linux", "GOARCH": build_go.GOARCH[arch]}
    # The compiler cgo gets (build_go._c_compiler_env, once ziglang is installed).
    wrapper = build_go.zig_cc_wrapper(f"{build_go.target_arch()}-linux-gnu.2.17")
    assert f"-m ziglang cc -target {arch}-linux-gnu.2.17 " in wrapper.read_text()


@pytest.mark.parametrize(
    ("platform", "goos", "name"),
    [
        ("linux", "linux", "libhttpcloak.so"),
        ("darwin", "darwin", "libhttpcloak.dylib"),
        ("win32", "windows", "httpcloak.dll"),
        ("freebsd14", "freebsd", "libhttpcloak.so"),
    ],
)
def test_each_system_loads_the_library_by_its_own_name(platform: str, goos: str, name: str) -> None:
    names = build_go.library_names
    assert names.goos(platform) == goos
    assert names.library_name(goos) == name


def test_a_windows_build_is_a_go_and_zig_cross_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(build_go.OS_ENV, "windows")
    monkeypatch.delenv(build_go.ARCH_ENV, raising=False)
    monkeypatch.delenv(build_go.GLIBC_ENV, raising=False)
    assert build_go._cross_env() == {"GOOS": "windows", "GOARCH": "amd64"}
    assert build_go.library_path().name == "httpcloak.dll"
    if importlib.util.find_spec("ziglang") is not None:
        wrapper = build_go._c_compiler_env()["CC"]
        assert "-target x86_64-windows-gnu " in Path(wrapper).read_text()


def test_an_unknown_system_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(build_go.OS_ENV, "plan9")
    with pytest.raises(SystemExit, match="HTTPCLOAK_OS=plan9: cross-builds go to linux or windows"):
        build_go.target_os()


def test_the_installed_package_loads_this_systems_library() -> None:
    import httpcloak._ffi as ffi_module

    assert ffi_module.LIBRARY_PATH.name == build_go.library_names.library_name(build_go.host_os())


@pytest.mark.slow
def test_a_header_named_like_ours_in_the_temporary_directory_is_not_compiled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # cgo compiles from files in $TMPDIR, where `#include "httpcloak.h"` is looked up first:
    # the build gives cgo a directory of its own.
    poisoned = tmp_path / "tmp"
    poisoned.mkdir()
    (poisoned / "httpcloak.h").write_text("#error the stray httpcloak.h in TMPDIR was compiled\n")
    monkeypatch.setenv("TMPDIR", str(poisoned))
    build_go.patch_go_modules()
    with build_go.go_build_env() as env:
        assert env["TMPDIR"] != str(poisoned)
        # A C flag of this run's own, so that cgo runs again instead of coming from Go's cache.
        env["CGO_CFLAGS"] = f"-O2 -g -DHC_BUILD_TEST={os.getpid()}_{time.monotonic_ns()}"
        built = subprocess.run(
            [build_go._go(), "build", "-buildmode=c-shared", "-o", str(tmp_path / "lib.so"), "."],
            cwd=build_go.GO_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
    assert built.returncode == 0, built.stderr[-2000:]
