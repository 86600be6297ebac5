"""Hooks the Go build into setuptools; all metadata lives in pyproject.toml."""

import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_go  # noqa: E402


class BuildGoThenPy(build_py):
    """Compile the library (libhttpcloak.so, .dylib or httpcloak.dll) before the package
    files are collected."""

    def run(self) -> None:
        build_go.build_library()
        super().run()


class NativeDistribution(Distribution):
    """Carries a native library, so files go to platlib, where auditwheel looks."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):
    """The wheel carries a native library but no CPython extension: py3-none-<platform>."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        arch = build_go.target_arch()
        if build_go.target_os() == "windows" and build_go.host_os() != "windows":
            # Cross-compiled by zig (HTTPCLOAK_OS=windows, build_go.py).
            return "py3", "none", {"x86_64": "win_amd64", "aarch64": "win_arm64"}[arch]
        if platform.startswith("linux_") and arch != build_go.host_arch():
            platform = f"linux_{arch}"  # cross-compiled (HTTPCLOAK_ARCH, build_go.py)
        glibc = build_go.target_glibc()
        if glibc is not None and platform.startswith("linux_"):
            # Linked against that glibc's symbols by zig (build_go.py): say so.
            major, minor = glibc.split(".")
            platform = f"manylinux_{major}_{minor}_{platform.removeprefix('linux_')}"
        return "py3", "none", platform


setup(
    distclass=NativeDistribution,
    cmdclass={"build_py": BuildGoThenPy, "bdist_wheel": PlatformWheel},
)
