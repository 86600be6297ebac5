"""max_body_size: an opt-in bound on a response body read whole into memory (a buffered
response, read(), content, aread()). The iterators and raw read piece by piece and are not
bound: the caller decides what to keep."""

from __future__ import annotations

from typing import Literal

from ._exceptions import BodyTooLarge, InvalidArgument

MaxBodySize = int | None  # None: no bound
# What a request passes: a size, None for no bound, or "default" for the session's.
RequestMaxBodySize = int | None | Literal["default"]

# Statuses whose Content-Length does not announce a body that follows (nor does a HEAD's).
_BODILESS_STATUSES = (204, 304)


def check_max_body_size(value: object) -> MaxBodySize:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_body_size must be an int or None, not {type(value).__name__}")
    if value < 0:
        raise InvalidArgument(f"max_body_size must be a non-negative int or None, got {value}")
    return value


def refuse_declared(
    limit: MaxBodySize, content_length: int, encoded: bool, method: str, status: int, url: str
) -> None:
    """Raise before reading when the Content-Length alone is past the limit (it counts
    decoded bytes only when the body is not compressed)."""
    if limit is None or encoded or content_length <= limit:
        return
    if method == "HEAD" or status in _BODILESS_STATUSES:
        return
    raise BodyTooLarge(
        f"the response body from {url} is {content_length} bytes (Content-Length), over "
        f"max_body_size={limit}; read it in pieces with stream=True and iter_content()",
        limit,
        content_length,
    )


def check_received(limit: MaxBodySize, received: int, url: str) -> None:
    """Raise once the decoded bytes read so far are past the limit."""
    if limit is not None and received > limit:
        raise BodyTooLarge(
            f"the decoded response body from {url} passed max_body_size={limit} "
            f"({received} bytes read so far); read it in pieces with stream=True "
            f"and iter_content()",
            limit,
            received,
        )
