"""What the body iterators compute, apart from how chunks arrive.

Each pipeline takes raw body chunks with feed() and returns what they complete; finish()
returns the rest at the end. The sync and async responses drive the same pipelines, so the
logic lives here once and only the loops over chunks differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, TypeVar

from ._decoders import ByteLineDecoder, LineDecoder, ServerSentEvent, SSEDecoder, TextDecoder

T_co = TypeVar("T_co", covariant=True)


class Pipeline(Protocol[T_co]):
    def feed(self, chunk: bytes) -> Iterable[T_co]: ...

    def finish(self) -> Iterable[T_co]: ...


class TextPipeline:
    """Bytes to text, with multi-byte characters split across chunks kept whole."""

    def __init__(self, encoding: str) -> None:
        self._decoder = TextDecoder(encoding)

    def feed(self, chunk: bytes) -> list[str]:
        text = self._decoder.decode(chunk)
        return [text] if text else []

    def finish(self) -> list[str]:
        tail = self._decoder.flush()
        return [tail] if tail else []


class ByteLinePipeline:
    def __init__(self, keepends: bool) -> None:
        self._lines = ByteLineDecoder(keepends=keepends)

    def feed(self, chunk: bytes) -> list[bytes]:
        return self._lines.decode(chunk)

    def finish(self) -> list[bytes]:
        return self._lines.flush()


class TextLinePipeline:
    def __init__(self, encoding: str, keepends: bool) -> None:
        self._text = TextDecoder(encoding)
        self._lines = LineDecoder(keepends=keepends)

    def feed(self, chunk: bytes) -> list[str]:
        return self._lines.decode(self._text.decode(chunk))

    def finish(self) -> list[str]:
        return self._lines.decode(self._text.flush()) + self._lines.flush()


def line_pipeline(decode_unicode: bool, keepends: bool, encoding: str) -> Pipeline[Any]:
    if decode_unicode:
        return TextLinePipeline(encoding, keepends)
    return ByteLinePipeline(keepends)


class JSONLinesPipeline:
    """NDJSON: one decoded value per non-blank line. Records are decoded one at a time, so
    a bad record raises after every good one before it, however the body was chunked."""

    def __init__(self) -> None:
        self._lines = ByteLinePipeline(keepends=False)
        self._records = 0

    def feed(self, chunk: bytes) -> Iterator[Any]:
        return self._parse(self._lines.feed(chunk))

    def finish(self) -> Iterator[Any]:
        return self._parse(self._lines.finish())

    def _parse(self, lines: list[bytes]) -> Iterator[Any]:
        for line in lines:
            if not line.strip():
                continue
            self._records += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                text = line.decode("utf-8", errors="replace")
                raise json.JSONDecodeError(
                    f"NDJSON record {self._records}: {error.msg}", text, error.pos
                ) from None
            yield record


class EventPipeline:
    """Server-Sent Events, interpreted by the WHATWG rules (always UTF-8)."""

    def __init__(self) -> None:
        self._lines = TextLinePipeline("utf-8", keepends=False)
        self._events = SSEDecoder()

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        return self._events.decode_lines(self._lines.feed(chunk))

    def finish(self) -> list[ServerSentEvent]:
        return self._events.decode_lines(self._lines.finish())
