"""A progress line for downloads on stderr: bytes, rate and ETA when the size is known, a
spinner and running total when it is not (-1). No dependency: one line, redrawn."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

_SPINNER = "|/-\\"
_REDRAW_SECONDS = 0.1


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:,.1f} GiB"


class Progress:
    def __init__(self, total: int, out: IO[str] | None = None) -> None:
        self.total = total
        self.done = 0
        self._out = out or sys.stderr
        self._started = time.monotonic()
        self._drawn = 0.0
        self._turn = 0

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._drawn >= _REDRAW_SECONDS:
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        if self.total > 0:
            share = 100 * self.done / self.total
            eta = (self.total - self.done) / rate if rate else 0
            line = f"{share:5.1f}% {_size(self.done)} of {_size(self.total)} "
            line += f"at {_size(rate)}/s, {eta:,.0f}s left"
        else:
            self._turn = (self._turn + 1) % len(_SPINNER)
            line = f"{_SPINNER[self._turn]} {_size(self.done)} at {_size(rate)}/s"
        self._out.write(f"\r{line:<60}")
        self._out.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._draw(time.monotonic())
        self._out.write("\n")
        self._out.flush()
