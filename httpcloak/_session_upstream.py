"""Session methods the upstream binding has besides requests' names (a mixin of Session):
``*_async`` (awaitables on the running event loop, through the machinery AsyncSession
uses: no thread per request), ``*_fast`` (a FastResponse, the body in one buffer) and the
per-verb ``*_stream`` calls."""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any, cast

from ._fast import FastResponse
from ._models import Response, StreamResponse
from ._verbs import POSITIONAL, BoundVerb, by_name

if TYPE_CHECKING:
    import asyncio

    from typing_extensions import Unpack

    from ._async_models import AsyncStreamResponse
    from ._loop_notifier import LoopNotifier
    from ._session import Session
    from ._verbs import RequestOptions

# One notifier per running event loop, shared by every Session's *_async calls in it (a
# Session, unlike an AsyncSession, may be awaited from several loops in turn). asyncio is
# imported on first use, as for AsyncSession (httpcloak/__init__.py says why).
_notifiers: dict[asyncio.AbstractEventLoop, LoopNotifier] = {}
_notifiers_lock = threading.Lock()


def request_on_loop(*args: Any, **kwargs: Any) -> Any:
    """_async_session.request_on_loop, imported when first awaited."""
    module = importlib.import_module("._async_session", __package__)
    return module.request_on_loop(*args, **kwargs)


def running_loop_notifier() -> LoopNotifier:
    asyncio = importlib.import_module("asyncio")
    loop_notifier = importlib.import_module("._loop_notifier", __package__)
    loop = asyncio.get_running_loop()
    with _notifiers_lock:
        for old in [other for other in _notifiers if other.is_closed()]:
            _notifiers.pop(old).close()  # asyncio.run() made it and is done with it
        notifier = _notifiers.get(loop)
        if notifier is None or notifier.handle == 0:
            notifier = _notifiers[loop] = loop_notifier.LoopNotifier(loop)
        return notifier


class UpstreamCalls:
    """get_async ... request_async, get_stream_async ..., get_fast ..., post_stream ..."""

    # ---- awaitables on the running event loop ----------------------------------------

    async def request_async(
        self, method: str, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> Response:
        response = await request_on_loop(
            self._session(), running_loop_notifier(), method, url, *args, **kwargs
        )
        return cast(Response, response)

    async def request_stream_async(
        self, method: str, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> AsyncStreamResponse:
        """The response once its headers arrive: read it with ``async for`` over
        ``aiter_bytes()`` / ``aiter_lines()``, or ``await aread()``; close it (or
        ``async with``)."""
        response = await request_on_loop(
            self._session(), running_loop_notifier(), method, url, *args, stream=True, **kwargs
        )
        return cast("AsyncStreamResponse", response)

    async def _verb_async(
        self, method: str, url: str, args: tuple[Any, ...], kwargs: dict[str, Any], stream: bool
    ) -> Any:
        named = by_name(f"{method.lower()}_async", POSITIONAL.get(method, ()), args, kwargs)
        if method == "HEAD":
            kwargs.setdefault("allow_redirects", False)  # as head()
        return await request_on_loop(
            self._session(), running_loop_notifier(), method, url, stream=stream, **named, **kwargs
        )

    async def get_async(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> Response:
        return cast(Response, await self._verb_async("GET", url, args, dict(kwargs), False))

    async def post_async(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> Response:
        return cast(Response, await self._verb_async("POST", url, args, dict(kwargs), False))

    async def put_async(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> Response:
        return cast(Response, await self._verb_async("PUT", url, args, dict(kwargs), False))

    async def patch_async(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> Response:
        return cast(Response, await self._verb_async("PATCH", url, args, dict(kwargs), False))

    async def delete_async(
        self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> Response:
        return cast(Response, await self._verb_async("DELETE", url, args, dict(kwargs), False))

    async def head_async(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> Response:
        return cast(Response, await self._verb_async("HEAD", url, args, dict(kwargs), False))

    async def options_async(
        self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> Response:
        return cast(Response, await self._verb_async("OPTIONS", url, args, dict(kwargs), False))

    async def get_stream_async(
        self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> AsyncStreamResponse:
        response = await self._verb_async("GET", url, args, dict(kwargs), True)
        return cast("AsyncStreamResponse", response)

    async def post_stream_async(
        self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> AsyncStreamResponse:
        response = await self._verb_async("POST", url, args, dict(kwargs), True)
        return cast("AsyncStreamResponse", response)

    # ---- the body in one buffer --------------------------------------------------------

    def request_fast(
        self, method: str, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> FastResponse:
        streamed = self._session().request(method, url, *args, stream=True, **kwargs)
        return FastResponse.read_whole(streamed)

    def _verb_fast(
        self, method: str, url: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> FastResponse:
        streamed = BoundVerb(self._session(), method, {})(url, *args, stream=True, **kwargs)
        return FastResponse.read_whole(streamed)

    def get_fast(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> FastResponse:
        return self._verb_fast("GET", url, args, dict(kwargs))

    def post_fast(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> FastResponse:
        return self._verb_fast("POST", url, args, dict(kwargs))

    def put_fast(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> FastResponse:
        return self._verb_fast("PUT", url, args, dict(kwargs))

    def patch_fast(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> FastResponse:
        return self._verb_fast("PATCH", url, args, dict(kwargs))

    def delete_fast(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> FastResponse:
        return self._verb_fast("DELETE", url, args, dict(kwargs))

    # ---- streamed, per verb (get_stream and request_stream are Session's own) ----------

    def _verb_stream(
        self, method: str, url: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> StreamResponse:
        response = BoundVerb(self._session(), method, {})(url, *args, stream=True, **kwargs)
        return cast(StreamResponse, response)

    def post_stream(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> StreamResponse:
        return self._verb_stream("POST", url, args, dict(kwargs))

    def put_stream(self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]) -> StreamResponse:
        return self._verb_stream("PUT", url, args, dict(kwargs))

    def patch_stream(
        self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> StreamResponse:
        return self._verb_stream("PATCH", url, args, dict(kwargs))

    def delete_stream(
        self, url: str, *args: Any, **kwargs: Unpack[RequestOptions]
    ) -> StreamResponse:
        return self._verb_stream("DELETE", url, args, dict(kwargs))

    def _session(self) -> Session:
        return cast("Session", self)
