"""Write a file whole or not at all: into a temporary file beside it, renamed over it only
once complete, so a failure at any point leaves the previous file as it was and no
temporary file behind. Used by Session.save() and the command's ``-o``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], *, mode: int, durable: bool) -> Iterator[BinaryIO]:
    """Yield a file to write; on a clean exit it becomes ``path`` (with permission bits
    ``mode``), on an exception it is removed. ``durable`` fsyncs the data and the directory
    entry, so the new file survives a crash. rename() replaces whatever is at ``path``,
    a symbolic link included, and never writes through it."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    # mkstemp: O_EXCL, mode 0600 from the start, in the same filesystem so rename is atomic.
    fd, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".part"
    )
    try:
        try:
            f = open(fd, "wb")  # noqa: SIM115 - closed by the with below
        except BaseException:
            os.close(fd)
            raise
        with f:
            _set_mode(fd, temporary, mode)
            yield f
            f.flush()
            if durable:
                os.fsync(fd)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if durable:
        _sync_directory(directory)


def _set_mode(fd: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # Windows (before Python 3.13): chmod by name sets only the read-only flag
        os.chmod(path, mode)


def _sync_directory(directory: str) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows opens no directory to fsync; NTFS journals the rename itself
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
