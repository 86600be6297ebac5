"""Incremental decoders for streamed response bodies.

Every decoder here is fed pieces of a stream with ``decode()`` and told the
stream has ended with ``flush()``. They keep only the state they need between
calls and never perform I/O, so they can sit behind both the sync and the
async iterators.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = [
    "ByteLineDecoder",
    "LineDecoder",
    "SSEDecoder",
    "ServerSentEvent",
    "TextDecoder",
]


class TextDecoder:
    """Decode bytes to text across chunk boundaries.

    An incremental codec keeps a partial multibyte sequence until the rest of
    it arrives, so a character split between two chunks still decodes right.
    """

    def __init__(self, encoding: str = "utf-8", errors: str = "replace") -> None:
        # Look the codec up now so an unknown encoding fails at construction.
        self._decoder = codecs.getincrementaldecoder(encoding)(errors=errors)

    def decode(self, data: bytes) -> str:
        return self._decoder.decode(data)

    def flush(self) -> str:
        # final=True turns a dangling partial sequence into replacement chars
        # (or an error, depending on ``errors``) instead of dropping it.
        text = self._decoder.decode(b"", final=True)
        self._decoder.reset()
        return text


_Str = TypeVar("_Str", str, bytes)

# "\r\n?" is tried before "\n" so that CRLF is one break, not two.
_TEXT_BREAK = re.compile(r"\r\n?|\n")
_BYTE_BREAK = re.compile(rb"\r\n?|\n")


class _LineSplitter(Generic[_Str]):
    """Split a chunked stream into lines; the shared algorithm for text and bytes.

    Breaks are ``\\n``, ``\\r\\n`` and a lone ``\\r``. Partial lines are kept as a
    list of pieces and only joined once their break arrives, and every chunk
    is scanned exactly once, so the total cost is linear in the input size no
    matter how it is chunked.
    """

    def __init__(self, keepends: bool, breaks: re.Pattern[_Str], cr: _Str, lf: _Str) -> None:
        self._keepends = keepends
        self._breaks: re.Pattern[_Str] = breaks
        self._cr: _Str = cr
        self._lf: _Str = lf
        self._empty: _Str = cr[:0]
        self._pending: list[_Str] = []
        # True when the previous chunk ended in "\r": we cannot tell yet
        # whether it is a lone CR or the first half of CRLF.
        self._pending_cr = False

    def decode(self, chunk: _Str) -> list[_Str]:
        if not chunk:
            return []
        if self._pending_cr or self._cr in chunk:
            return self._decode_with_cr(chunk)
        # The usual case, "\n" breaks only: one split in C instead of a match per line.
        lines = chunk.split(self._lf)
        tail = lines.pop()
        if lines:
            if self._pending:
                self._pending.append(lines[0])
                lines[0] = self._empty.join(self._pending)
                self._pending = []
            if self._keepends:
                lf = self._lf
                lines = [line + lf for line in lines]
        if tail:
            self._pending.append(tail)
        return lines

    def _decode_with_cr(self, chunk: _Str) -> list[_Str]:
        lines: list[_Str] = []
        pos = 0
        if self._pending_cr:
            self._pending_cr = False
            if chunk.startswith(self._lf):
                self._emit(lines, self._cr + self._lf)
                pos = 1
            else:
                self._emit(lines, self._cr)

        end = len(chunk)
        for match in self._breaks.finditer(chunk, pos):
            start = match.start()
            if start > pos:
                self._pending.append(chunk[pos:start])
            if match.end() == end and match.group() == self._cr:
                # Trailing "\r": hold it until the next chunk (or flush) says
                # whether a "\n" follows.
                self._pending_cr = True
                return lines
            self._emit(lines, chunk[start : match.end()])
            pos = match.end()

        if pos < end:
            self._pending.append(chunk[pos:])
        return lines

    def flush(self) -> list[_Str]:
        lines: list[_Str] = []
        if self._pending_cr:
            self._pending_cr = False
            self._emit(lines, self._cr)
        elif self._pending:
            # The pieces list never holds empty strings, so this line is non-empty.
            self._emit(lines, self._empty)
        return lines

    def _emit(self, lines: list[_Str], terminator: _Str) -> None:
        if self._keepends:
            self._pending.append(terminator)
        lines.append(self._empty.join(self._pending))
        self._pending = []


class LineDecoder(_LineSplitter[str]):
    """Split a stream of text chunks into lines (``\\n``, ``\\r\\n`` or ``\\r``).

    Unlike ``str.splitlines`` no other Unicode separators count as breaks.
    With ``keepends=True`` each line keeps its terminator exactly as received.
    """

    def __init__(self, keepends: bool = False) -> None:
        super().__init__(keepends, _TEXT_BREAK, "\r", "\n")


class ByteLineDecoder(_LineSplitter[bytes]):
    """Split a stream of byte chunks into lines (``\\n``, ``\\r\\n`` or ``\\r``).

    With ``keepends=True`` each line keeps its terminator exactly as received.
    """

    def __init__(self, keepends: bool = False) -> None:
        super().__init__(keepends, _BYTE_BREAK, b"\r", b"\n")


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched Server-Sent Event.

    ``id`` is the stream's last event ID at dispatch time ("" if none was ever
    set), as the spec defines it. ``retry`` is the reconnection time in
    milliseconds set by a ``retry`` field in this event's block, else None.
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SSEDecoder:
    """Interpret a text/event-stream, one line at a time.

    Follows the WHATWG HTML "event stream interpretation" rules. Input lines
    must already be split and have no terminators (see ``LineDecoder``).

    Beyond what each event carries, the decoder exposes ``last_event_id`` and
    ``retry`` (the latest valid reconnection time, persisting across events) so
    a caller can reconnect correctly even after blocks that dispatch nothing,
    such as a lone ``retry:`` or ``id:`` block.
    """

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._block_retry: int | None = None
        self._last_event_id = ""
        self._retry: int | None = None
        self._at_stream_start = True

    @property
    def last_event_id(self) -> str:
        return self._last_event_id

    @property
    def retry(self) -> int | None:
        return self._retry

    def decode(self, line: str) -> ServerSentEvent | None:
        """Interpret one line; the event it completes, if any."""
        events = self.decode_lines((line,))
        return events[0] if events else None

    def decode_lines(self, lines: Iterable[str]) -> list[ServerSentEvent]:
        """Interpret lines in order; the events they complete. One loop for the whole
        batch: a stream's chunk usually holds several lines."""
        events: list[ServerSentEvent] = []
        for line in lines:
            if self._at_stream_start:
                self._at_stream_start = False
                # The spec's UTF-8 decode strips one BOM at the start of the stream.
                line = line.removeprefix("\ufeff")

            if not line:
                if (event := self._dispatch()) is not None:
                    events.append(event)
                continue
            if line[0] == ":":
                continue  # comment

            name, colon, value = line.partition(":")
            if colon and value[:1] == " ":
                value = value[1:]

            if name == "data":
                self._data.append(value)
            elif name == "event":
                self._event = value
            elif name == "id" and "\0" not in value:
                # Takes effect at once, even if this block never dispatches.
                self._last_event_id = value
            elif name == "retry" and value.isascii() and value.isdigit():
                # isascii() matters: isdigit() alone accepts e.g. Arabic-Indic digits.
                self._retry = self._block_retry = int(value)
            # Other fields, an id with NUL and a non-numeric retry are ignored.
        return events

    def flush(self) -> ServerSentEvent | None:
        """End of stream: discard any event not yet terminated by a blank line.

        The spec says a final block without its blank line is dropped, so this
        always returns None. ``last_event_id`` and ``retry`` are kept, and the
        decoder is ready for the next stream of a reconnection (its BOM will be
        stripped again).
        """
        self._reset_block()
        self._at_stream_start = True
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            # Blank line ends the block; nothing to dispatch without data.
            self._reset_block()
            return None
        event = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self._last_event_id,
            retry=self._block_retry,
        )
        self._reset_block()
        return event

    def _reset_block(self) -> None:
        self._event = ""
        self._data = []
        self._block_retry = None
