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
            os.fchmod(fd, mode)
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


def _sync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
