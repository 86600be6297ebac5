"""Sending a streamed request body, without deadlocking a server that answers early.

The body is written from the calling thread. If the server starts its response while the
body is still going (an echo, a proxy), waiting for the body to finish before reading the
response would deadlock on full socket buffers, so the rest of the body is written by a
background thread while the caller reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from . import _abi
from ._abi import NativeStream
from ._abi_types import ResponseMeta
from ._body import StreamedBody
from ._exceptions import StreamError


def send_body(native: NativeStream, body: StreamedBody) -> ResponseMeta | None:
    """Write the body; return the response metadata if it arrived before the body ended."""
    chunks = iter(body.chunks)
    for chunk in chunks:
        while True:
            n = native.write_once(chunk)
            if n == len(chunk):
                break
            if n == _abi.WRITE_RESPONDED:
                native.end_body()
                return None
            meta = native.poll_meta()
            if meta is not None:
                _finish_in_background(native, chunk, chunks)
                return meta
    native.end_body()
    return None


def _finish_in_background(native: NativeStream, pending: bytes, rest: Iterator[bytes]) -> None:
    def write_rest() -> None:
        try:
            if native.write(pending):
                for chunk in rest:
                    if not native.write(chunk):
                        break
            native.end_body()
        except StreamError:
            pass  # the caller closed or canceled the stream: nothing left to send
        except BaseException:
            native.cancel()  # a failing body must not look like a complete one

    threading.Thread(target=write_rest, name="httpcloak-upload", daemon=True).start()
