"""multipart/form-data bodies for files=, streamed: file objects are read as they are sent."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import IO, Any

from ._body import StreamedBody, as_bytes

# What one entry of files= may be, as in requests: content, (filename, content),
# (filename, content, content_type).
FileContent = bytes | str | IO[bytes]
FileSpec = FileContent | tuple[str, FileContent] | tuple[str, FileContent, str]
FilesTypes = Mapping[str, FileSpec]

_CHUNK = 64 * 1024


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")


def _parts(fields: Mapping[str, Any], files: FilesTypes, boundary: str) -> Iterator[bytes]:
    for name, value in fields.items():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'
        ).encode()
        yield as_bytes(value if isinstance(value, (bytes, str)) else str(value), "a form field")
        yield b"\r\n"
    for name, spec in files.items():
        filename, content, content_type = _unpack(name, spec)
        yield (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quote(name)}"; '
            f'filename="{_quote(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        if hasattr(content, "read"):
            while chunk := content.read(_CHUNK):
                yield as_bytes(chunk, "a file in files=")
        else:
            yield as_bytes(content, "a file in files=")
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def _unpack(name: str, spec: FileSpec) -> tuple[str, FileContent, str]:
    if isinstance(spec, tuple):
        if len(spec) == 2:
            return spec[0], spec[1], _guess_type(spec[0])
        return spec[0], spec[1], spec[2]
    fallback = os.path.basename(getattr(spec, "name", "") or name)
    filename = fallback if isinstance(fallback, str) else name
    return filename, spec, _guess_type(filename)


def _guess_type(filename: str) -> str:
    """The part's Content-Type from the file name, as urllib3 (requests) and the upstream
    binding guess it; application/octet-stream when the name says nothing."""
    import mimetypes  # only when files= is used: it reads the system's type tables

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def multipart_body(fields: Mapping[str, Any] | None, files: FilesTypes) -> tuple[StreamedBody, str]:
    """The streamed body and its Content-Type."""
    boundary = os.urandom(16).hex()  # what secrets.token_hex does, without loading OpenSSL
    chunks = _parts(fields or {}, files, boundary)
    return StreamedBody(chunks, None), f"multipart/form-data; boundary={boundary}"
