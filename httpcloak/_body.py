"""Turning request arguments (data=, json=, params=, cookies=) into bytes and headers."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._exceptions import InvalidArgument

BodyTypes = bytes | bytearray | memoryview | str | Mapping[str, Any] | Iterable[bytes] | None
ParamsTypes = Mapping[str, Any] | Iterable[tuple[str, Any]] | str | None


def encode_body(data: BodyTypes, json: Any) -> tuple[bytes, str | None]:
    """The request body and the Content-Type it implies (None: leave it to the caller)."""
    if json is not None:
        if data is not None:
            raise InvalidArgument("pass either data= or json=, not both")
        return jsonlib.dumps(json, separators=(",", ":")).encode(), "application/json"
    if data is None:
        return b"", None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), None
    if isinstance(data, str):
        return data.encode("utf-8"), None
    if isinstance(data, Mapping):
        return urlencode(list(data.items()), doseq=True).encode(), (
            "application/x-www-form-urlencoded"
        )
    if hasattr(data, "read"):
        return _read_file(data), None
    if isinstance(data, Iterable):
        return _join_chunks(data), None
    raise TypeError(
        f"data= must be bytes, str, a mapping, a file object or an iterable of bytes, "
        f"not {type(data).__name__}"
    )


def _read_file(file: Any) -> bytes:
    content = file.read()
    if isinstance(content, str):
        return content.encode("utf-8")
    if not isinstance(content, (bytes, bytearray)):
        raise TypeError(f"the file object's read() returned {type(content).__name__}, not bytes")
    return bytes(content)


def _join_chunks(chunks: Iterable[Any]) -> bytes:
    parts = bytearray()
    for chunk in chunks:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise TypeError(f"an iterable body must yield bytes, got {type(chunk).__name__}")
        parts += chunk
    return bytes(parts)


def with_params(url: str, params: ParamsTypes) -> str:
    if not params:
        return url
    query = (
        params
        if isinstance(params, str)
        else urlencode(
            list(params.items()) if isinstance(params, Mapping) else list(params), doseq=True
        )
    )
    parts = urlsplit(url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit(parts._replace(query=joined))


def cookie_header(cookies: Mapping[str, str] | None) -> str | None:
    if not cookies:
        return None
    for name, value in cookies.items():
        if any(c in f"{name}{value}" for c in ";\r\n\0"):
            raise InvalidArgument(f"cookie {name!r} contains a character not allowed in a cookie")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())
