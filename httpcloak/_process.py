"""Process-wide helpers under the upstream binding's names."""

from __future__ import annotations

from . import _abi


def version() -> str:
    """This package's version."""
    from . import __version__

    return __version__


def trim_memory() -> None:
    """Give memory the engine freed back to the system now (Go returns it lazily, so RSS
    stays high after many sessions closed); blocks until done."""
    _abi.memory_trim()
