"""Hooks the Go build into setuptools; all metadata lives in pyproject.toml."""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_go  # noqa: E402


class BuildGoThenPy(build_py):
    """Compile libhttpcloak.so before the package files are collected."""

    def run(self) -> None:
        build_go.build_library()
        super().run()


class PlatformWheel(bdist_wheel):
    """The wheel carries a native library but no CPython extension: py3-none-<platform>."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildGoThenPy, "bdist_wheel": PlatformWheel})
