"""AsyncStreamResponse: the same stream, read by awaiting instead of blocking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, NoReturn, TypeVar, overload

from . import _abi
from ._abi import NativeStream
from ._abi_types import PendingRedirect, ResponseMeta
from ._decoders import ServerSentEvent
from ._exceptions import InternalError
from ._loop_notifier import LoopNotifier
from ._models import StreamBase, check_chunk_size, chunks_of, read_size
from ._pipelines import EventPipeline, JSONLinesPipeline, Pipeline, TextPipeline, line_pipeline

T = TypeVar("T")


async def read_meta(
    native: NativeStream,
    notifier: LoopNotifier,
    decide: Callable[[PendingRedirect], Awaitable[bool]] | None = None,
) -> ResponseMeta:
    """Await the response headers without blocking the loop; with decide (on_redirect),
    answer each redirect hop on the way."""
    while True:
        meta = native.meta_or_redirect(0)
        if meta is None:
            await notifier.wait(native)
        elif "redirect" in meta:
            if decide is None:
                raise InternalError("a redirect waits for a decision no one was asked for")
            native.decide_redirect(await decide(meta["redirect"]))  # type: ignore[typeddict-item]
        else:
            return meta  # type: ignore[return-value]


class AsyncStreamResponse(StreamBase):
    """A response whose body you pull with ``async for``; close it with ``async with`` or
    ``await aclose()``."""

    _read_call = "await aread"

    def __init__(
        self, native: NativeStream, meta: ResponseMeta, method: str, notifier: LoopNotifier
    ) -> None:
        super().__init__(native, meta, method)
        self._notifier = notifier

    async def _aiter_raw(self, chunk_size: int | None) -> AsyncIterator[bytes]:
        if self._content is not None:
            for chunk in chunks_of(self._content, chunk_size):
                yield chunk
            return
        self._check_not_consumed()
        size = read_size(chunk_size)
        target, view = _abi.read_buffer(size)
        notifier = self._notifier
        # The reads are inlined here, not a coroutine of their own: one layer less to resume
        # per chunk, which an event loop serving many streams pays for every event.
        while (native := self._native_or_end()) is not None:
            try:
                while (n := native.read_or_arm(target, size)) == _abi.READ_PENDING:
                    await notifier.wait(native, armed=True)
            except BaseException as error:
                replacement = self._failed(native, error)
                if replacement is error:
                    raise
                raise replacement from None
            if not self._account(n):
                return
            yield view[:n]

    async def _adrive(
        self, pipeline: Pipeline[T], chunk_size: int | None = None
    ) -> AsyncIterator[T]:
        async for chunk in self._aiter_raw(chunk_size):
            for item in pipeline.feed(chunk):
                yield item
        for item in pipeline.finish():
            yield item

    def aiter_content(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Body pieces of at most chunk_size bytes, each as soon as it arrives."""
        check_chunk_size(chunk_size)
        return self._aiter_raw(chunk_size)

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self.aiter_content(chunk_size)

    def aiter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        check_chunk_size(chunk_size)
        return self._adrive(TextPipeline(self.encoding or "utf-8"), chunk_size)

    @overload
    def aiter_lines(
        self,
        chunk_size: int | None = None,
        decode_unicode: Literal[False] = False,
        keepends: bool = False,
    ) -> AsyncIterator[bytes]: ...
    @overload
    def aiter_lines(
        self,
        chunk_size: int | None = None,
        *,
        decode_unicode: Literal[True],
        keepends: bool = False,
    ) -> AsyncIterator[str]: ...
    @overload
    def aiter_lines(
        self, chunk_size: int | None, decode_unicode: Literal[True], keepends: bool = False
    ) -> AsyncIterator[str]: ...
    def aiter_lines(
        self, chunk_size: int | None = None, decode_unicode: bool = False, keepends: bool = False
    ) -> AsyncIterator[bytes] | AsyncIterator[str]:
        """Lines split on \\n, \\r\\n and \\r as the whole body would split."""
        check_chunk_size(chunk_size)
        pipeline = line_pipeline(decode_unicode, keepends, self.encoding or "utf-8")
        return self._adrive(pipeline, chunk_size)

    def aiter_json(self) -> AsyncIterator[Any]:
        """NDJSON: one decoded value per non-blank line."""
        return self._adrive(JSONLinesPipeline())

    def aiter_events(self) -> AsyncIterator[ServerSentEvent]:
        """Server-Sent Events, interpreted by the WHATWG rules."""
        return self._adrive(EventPipeline())

    async def aread(self) -> bytes:
        """The rest of the body (kept for .content/.text/.json()); BodyTooLarge once it
        passes the session's or request's max_body_size."""
        if self._content is None:
            self._start_whole_read()
            pieces, received = [], 0
            async for piece in self._aiter_raw(None):
                received += len(piece)
                self._count_whole_read(received)
                pieces.append(piece)
            self._content = b"".join(pieces)
        return self._content

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> AsyncStreamResponse:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.aiter_content()

    # The blocking iterators of StreamResponse would stall the event loop: refuse them.
    def _sync_refused(self, name: str) -> NoReturn:
        raise TypeError(
            f"{name}() blocks; on an AsyncStreamResponse use `async for ... in "
            f"r.a{name}()` (or a Session for blocking code)"
        )

    def iter_content(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._sync_refused("iter_content")

    def iter_bytes(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._sync_refused("iter_bytes")

    def iter_text(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._sync_refused("iter_text")

    def iter_lines(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._sync_refused("iter_lines")

    def iter_json(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._sync_refused("iter_json")

    def iter_events(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._sync_refused("iter_events")

    def read(self) -> NoReturn:
        raise TypeError("read() blocks; on an AsyncStreamResponse use `await r.aread()`")

    @property
    def raw(self) -> NoReturn:
        raise TypeError(
            "raw is a blocking file object; on an AsyncStreamResponse read with "
            "`async for chunk in r.aiter_bytes()` or `await r.aread()`"
        )

    def __iter__(self) -> NoReturn:
        self._sync_refused("iter_content")
