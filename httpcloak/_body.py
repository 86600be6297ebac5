"""Turning request arguments (data=, json=, params=, cookies=) into bytes and headers."""

from __future__ import annotations

import json as jsonlib
import os
from collections.abc import AsyncIterable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._exceptions import InvalidArgument

BodyTypes = bytes | bytearray | memoryview | str | Mapping[str, Any] | Iterable[bytes] | None
ParamsTypes = Mapping[str, Any] | Iterable[tuple[str, Any]] | str | None


# A body held whole: bytes, or for a large bytearray/memoryview a view of the caller's own
# buffer, which the engine reads without a copy (see NativeStream).
InlineBody = bytes | memoryview

# From this size on a bytes-like body is not copied, neither here nor by the engine: it is
# read from the caller's buffer (which stays referenced, and a bytearray unresizable, until
# the response is closed). Smaller bodies are copied, as they always were.
BORROW_MIN_SIZE = 1 << 20


@dataclass
class StreamedBody:
    """A request body sent as it is read, never held whole in memory."""

    chunks: Iterator[bytes]
    length: int | None  # None: unknown, sent chunked on HTTP/1.1


UPLOAD_CHUNK_SIZE = 64 * 1024


def encode_body(
    data: BodyTypes | AsyncIterable[bytes], json: Any
) -> tuple[InlineBody | StreamedBody, str | None]:
    """The request body and the Content-Type it implies (None: leave it to the caller).
    Bytes-like bodies are sent as they are; file objects and iterables are streamed."""
    if json is not None:
        if data is not None:
            raise InvalidArgument("pass either data= or json=, not both")
        try:
            encoded = jsonlib.dumps(json, separators=(",", ":"), allow_nan=False)
        except ValueError as error:  # NaN or infinity; an unserialisable type stays TypeError
            raise InvalidArgument(f"json= cannot be sent as JSON: {error}") from error
        return encoded.encode(), "application/json"
    if data is None:
        return b"", None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return inline_bytes(data), None
    if isinstance(data, str):
        return data.encode("utf-8"), None
    if isinstance(data, Mapping):
        form = urlencode(_without_none(data.items()), doseq=True).encode()
        return form, "application/x-www-form-urlencoded"
    if hasattr(data, "read"):
        return StreamedBody(_file_chunks(data), _remaining_length(data)), None
    if isinstance(data, Iterable):
        return StreamedBody(_checked_chunks(data), None), None
    if isinstance(data, AsyncIterable):
        raise TypeError("an async iterable body needs an AsyncSession")
    raise TypeError(
        f"data= must be bytes, str, a mapping, a file object or an iterable of bytes, "
        f"not {type(data).__name__}"
    )


def inline_bytes(data: bytes | bytearray | memoryview) -> InlineBody:
    """The body to send: the caller's bytes as they are; a large contiguous buffer as a
    byte view of it (no copy of gigabytes); anything else copied into bytes."""
    if type(data) is bytes:
        return data
    view = memoryview(data)
    if view.nbytes >= BORROW_MIN_SIZE and view.c_contiguous:
        return view.cast("B")
    return bytes(view)


def _remaining_length(file: Any) -> int | None:
    """The bytes left in a regular file, so it goes out with a Content-Length."""
    try:
        if "b" not in getattr(file, "mode", "b"):
            return None  # text mode: the encoded length is not known up front
        size: int = os.fstat(file.fileno()).st_size
        position: int = file.tell()
        return max(size - position, 0)
    except (AttributeError, OSError, ValueError):
        return None


def _file_chunks(file: Any) -> Iterator[bytes]:
    while chunk := file.read(UPLOAD_CHUNK_SIZE):
        yield as_bytes(chunk, "the file object's read()")


def _checked_chunks(chunks: Iterable[Any]) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield as_bytes(chunk, "an iterable body")


def as_bytes(chunk: Any, source: str) -> bytes:
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"{source} must give bytes or str, got {type(chunk).__name__}")


def _without_none(pairs: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Form fields and query parameters whose value is None are left out, as requests does."""
    return [(name, value) for name, value in pairs if value is not None]


def with_params(url: str, params: ParamsTypes) -> str:
    if not params:
        return url
    query = (
        params
        if isinstance(params, str)
        else urlencode(
            _without_none(params.items() if isinstance(params, Mapping) else params), doseq=True
        )
    )
    if not query:
        return url
    parts = urlsplit(url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit(parts._replace(query=joined))


def cookie_header(cookies: Mapping[str, str | None] | None) -> str | None:
    """The Cookie header for a request's cookies=; a None value leaves that cookie out."""
    if not cookies:
        return None
    if not isinstance(cookies, Mapping):
        raise TypeError(
            f"cookies= must be a mapping of names to values, not {type(cookies).__name__}"
        )
    pairs = _without_none(cookies.items())
    for name, value in pairs:
        if any(c in f"{name}{value}" for c in ";\r\n\0"):
            raise InvalidArgument(f"cookie {name!r} contains a character not allowed in a cookie")
    return "; ".join(f"{name}={value}" for name, value in pairs) or None
