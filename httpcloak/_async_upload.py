"""Sending a streamed request body from the event loop, as a task beside the response."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any

from . import _abi
from ._abi import NativeStream
from ._body import StreamedBody, as_bytes
from ._exceptions import StreamError
from ._loop_notifier import LoopNotifier


async def _chunks(source: Iterable[bytes] | AsyncIterable[Any]) -> AsyncIterator[bytes]:
    if isinstance(source, AsyncIterable):
        async for chunk in source:
            if chunk:
                yield as_bytes(chunk, "an async iterable body")
    else:
        for chunk in source:
            yield chunk


async def _write(native: NativeStream, notifier: LoopNotifier, chunk: bytes) -> bool:
    """False when the server answered before wanting the rest."""
    while (n := native.write_nowait(chunk)) != len(chunk):
        if n == _abi.WRITE_RESPONDED:
            return False
        await notifier.wait(native)
    return True


async def _send(
    native: NativeStream, notifier: LoopNotifier, source: Iterable[bytes] | AsyncIterable[Any]
) -> None:
    try:
        async for chunk in _chunks(source):
            if not await _write(native, notifier, chunk):
                break
        native.end_body()
    except StreamError:
        pass  # the stream was closed or canceled: nothing left to send
    except BaseException:
        native.cancel()  # a failing body must not look like a complete one
        raise


def start_upload(
    native: NativeStream, notifier: LoopNotifier, body: StreamedBody | AsyncIterable[Any]
) -> asyncio.Task[None]:
    """Send the body in a task, so the response can be read while it goes out."""
    source = body.chunks if isinstance(body, StreamedBody) else body
    return asyncio.get_running_loop().create_task(_send(native, notifier, source))
