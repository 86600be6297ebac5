"""FastResponse: get_fast() and friends, as the upstream binding has them. The engine copies
the body straight into one buffer (its only copy); .content is a memoryview of it."""

from __future__ import annotations

import json as jsonlib
from typing import Any

from . import _abi
from ._models import StreamResponse, _ResponseBase, body_is_encoded

# Growth step when the body's decoded size is not known up front.
_FIRST_READ = 64 * 1024


class FastResponse(_ResponseBase):
    """A response whose body sits in one buffer: ``content`` (and ``body``) is a memoryview
    of it, never copied again; ``content_bytes`` makes a bytes copy. Unlike upstream's, the
    buffer is this response's own: a later get_fast() does not overwrite it."""

    def __init__(self, streamed: StreamResponse, buffer: bytearray) -> None:
        # The metadata of the streamed response it was read from (_ResponseBase's).
        self._take_metadata(streamed)
        self.content = memoryview(buffer)
        self.num_bytes_downloaded = len(buffer)

    @classmethod
    def read_whole(cls, streamed: StreamResponse) -> FastResponse:
        """Read streamed's body into one buffer: exactly sized when its length is known
        (a Content-Length and no Content-Encoding), else grown as it arrives."""
        with streamed:
            streamed._start_whole_read()
            exact = streamed.content_length >= 0 and not body_is_encoded(streamed.headers)
            buffer = bytearray(streamed.content_length if exact else _FIRST_READ)
            received = 0
            while True:
                if received == len(buffer):
                    if exact:
                        break  # all of it: a short body raises from the read instead
                    buffer.extend(bytes(len(buffer)))  # doubles
                n = _read_into(streamed, buffer, received)
                if n == 0:
                    break
                received += n
                streamed._count_whole_read(received)
            if received != len(buffer):
                del buffer[received:]
        return cls(streamed, buffer)

    @property
    def body(self) -> memoryview:
        """The upstream binding's name for ``content``."""
        return self.content

    @property
    def content_bytes(self) -> bytes:
        """The body as bytes (a copy)."""
        return bytes(self.content)

    @property
    def text(self) -> str:
        return str(self.content, self.encoding or "utf-8", errors="replace")

    def json(self, **kwargs: Any) -> Any:
        return jsonlib.loads(self.text, **kwargs)

    def close(self) -> None:
        """Present so every response closes alike; the buffer stays readable."""

    def __enter__(self) -> FastResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_into(streamed: StreamResponse, buffer: bytearray, offset: int) -> int:
    """One native read into buffer[offset:]; the view is let go before the buffer may grow."""
    with memoryview(buffer) as view:
        target = _abi.writable_target(view)
        try:
            return streamed._readinto(target + offset, len(buffer) - offset)
        finally:
            _abi.release_target(target)
