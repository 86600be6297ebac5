"""Timeouts, in seconds everywhere (floats allowed), with the meaning users expect.

connect: everything up to the response headers (DNS, TCP, TLS, proxy, server think time).
read:    the longest silence between two pieces of the body; a stream lives as long as it
         keeps talking.
total:   the whole exchange, only when asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._abi_types import TimeoutJSON
from ._exceptions import InvalidArgument

# An int past this is refused before math.isnan makes it a float (it would overflow).
_LONGEST_SECONDS = 10**300


def _check_seconds(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(f"{name} must be a number of seconds or None, got {value!r}")
    if isinstance(value, int) and value > _LONGEST_SECONDS:  # math.isnan would overflow
        raise InvalidArgument(f"{name} must be a finite number of seconds, got an int that large")
    if math.isnan(value) or math.isinf(value) or value <= 0:
        raise InvalidArgument(f"{name} must be a positive, finite number of seconds, got {value!r}")


@dataclass(frozen=True)
class Timeout:
    """``Timeout(connect=10, read=60, total=None)``; None means no limit."""

    connect: float | None = 30.0
    read: float | None = 300.0
    total: float | None = None

    def __post_init__(self) -> None:
        for name in ("connect", "read", "total"):
            _check_seconds(f"{name} timeout", getattr(self, name))

    def as_json(self) -> TimeoutJSON:
        return {"connect": self.connect, "read": self.read, "total": self.total}


TimeoutTypes = Timeout | float | int | tuple[float | None, float | None] | None

DEFAULT_TIMEOUT = Timeout()
NO_TIMEOUT = Timeout(connect=None, read=None, total=None)


def to_timeout(value: TimeoutTypes) -> Timeout:
    """Accept what requests accepts: a number for connect and read, or a (connect, read)
    pair, or a Timeout. None means no limit at all."""
    if isinstance(value, Timeout):
        return value
    if value is None:
        return NO_TIMEOUT
    if isinstance(value, tuple):
        if len(value) != 2:
            raise InvalidArgument(f"a timeout tuple must be (connect, read), got {value!r}")
        return Timeout(connect=value[0], read=value[1])
    _check_seconds("timeout", value)
    return Timeout(connect=value, read=value)
