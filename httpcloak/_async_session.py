"""AsyncSession: the asyncio API. No thread per stream: every stream of a session waits on
one descriptor that the event loop watches (see _loop_notifier)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from ._abi import NativeStream
from ._abi_types import PendingRedirect, ResponseMeta
from ._async_models import AsyncStreamResponse, read_meta
from ._async_upload import start_upload
from ._base_session import BaseSession
from ._body import BodyTypes, ParamsTypes, StreamedBody
from ._body_limit import RequestMaxBodySize
from ._exceptions import HTTPCloakError, StreamError
from ._headers import RequestHeaderTypes
from ._loop_notifier import LoopNotifier
from ._models import Response
from ._multipart import FilesTypes
from ._redirects import async_decider
from ._timeouts import TimeoutTypes
from ._verbs import AsyncVerb, RequestOptions, positional_params_data
from ._warmup import (
    DEFAULT_CONCURRENCY,
    DEFAULT_LIMIT,
    Subresource,
    SubresourceResult,
    WarmupResult,
    check_concurrency,
    page_subresources,
    subresource_headers,
    warmup_timeout,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._verbs import RequestSwitches


class AsyncSession(BaseSession):
    """A browser-impersonating HTTP session for asyncio; same options as Session.

    It serves the event loop it is first used in."""

    _notifier: LoopNotifier | None = None

    def _loop_notifier(self) -> LoopNotifier:
        if self._notifier is None:
            self._notifier = LoopNotifier(asyncio.get_running_loop())
        # Checked at every request, not only when one has to wait: a fast answer must not
        # hide the mistake.
        self._notifier.check_loop()
        return self._notifier

    @overload
    async def request(
        self,
        method: str,
        url: str,
        *args: Any,
        stream: Literal[False] = False,
        **kwargs: Unpack[RequestOptions],
    ) -> Response: ...

    @overload
    async def request(
        self,
        method: str,
        url: str,
        *args: Any,
        stream: Literal[True],
        **kwargs: Unpack[RequestOptions],
    ) -> AsyncStreamResponse: ...

    @overload
    async def request(
        self, method: str, url: str, *args: Any, stream: bool, **kwargs: Unpack[RequestOptions]
    ) -> Response | AsyncStreamResponse: ...

    async def request(
        self, method: str, url: str, *args: Any, stream: bool = False, **kwargs: Any
    ) -> Response | AsyncStreamResponse:
        """Send a request. stream=True returns an AsyncStreamResponse once the headers
        arrive; otherwise the body is read whole into a Response. data= may also be an
        async iterable of bytes."""
        notifier = self._loop_notifier()
        return await request_on_loop(self, notifier, method, url, *args, stream=stream, **kwargs)

    @asynccontextmanager
    async def stream(
        self, method: str, url: str, **kwargs: Unpack[RequestOptions]
    ) -> AsyncIterator[AsyncStreamResponse]:
        """``async with session.stream("GET", url) as r:`` (httpx style); closes at exit."""
        response = await self.request_stream(method, url, **kwargs)
        try:
            yield response
        finally:
            response.close()

    get = AsyncVerb("GET")
    post = AsyncVerb("POST")
    put = AsyncVerb("PUT")
    patch = AsyncVerb("PATCH")
    delete = AsyncVerb("DELETE")
    head = AsyncVerb("HEAD", allow_redirects=False)
    options = AsyncVerb("OPTIONS")

    async def get_stream(self, url: str, **kwargs: Unpack[RequestOptions]) -> AsyncStreamResponse:
        return await self.request_stream("GET", url, **kwargs)

    async def request_stream(
        self, method: str, url: str, **kwargs: Unpack[RequestOptions]
    ) -> AsyncStreamResponse:
        # mypy cannot pick an overload through **kwargs; the stream=True one applies.
        response = await self.request(method, url, stream=True, **kwargs)
        return cast(AsyncStreamResponse, response)

    async def warmup(
        self,
        url: str,
        timeout: float | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Response:
        """Visit url as a browser's first visit does; see Session.warmup. The
        subresources load concurrently on the event loop, at most concurrency at a time."""
        check_concurrency(concurrency)
        per_request = warmup_timeout(timeout)
        page = await self.get(url, timeout=per_request)
        resources, skipped = page_subresources(page, limit)
        gate = asyncio.Semaphore(concurrency)

        async def load(resource: Subresource) -> SubresourceResult:
            async with gate:
                return await self._load_subresource(resource, page.url, per_request)

        results = await asyncio.gather(*(load(r) for r in resources))
        page.warmup = WarmupResult(tuple(results), skipped)
        return page

    async def _load_subresource(
        self, resource: Subresource, page_url: str, timeout: TimeoutTypes | Literal["default"]
    ) -> SubresourceResult:
        headers = subresource_headers(resource, page_url)
        try:
            async with self.stream("GET", resource.url, headers=headers, timeout=timeout) as r:
                async for _ in r.aiter_bytes():
                    pass
        except HTTPCloakError as exc:
            return SubresourceResult(resource.url, resource.dest, error=str(exc))
        return SubresourceResult(resource.url, resource.dest, r.status_code)

    def close(self) -> None:
        super().close()
        if self._notifier is not None:
            self._notifier.close()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> AsyncSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


async def request_on_loop(
    session: BaseSession,
    notifier: LoopNotifier,
    method: str,
    url: str,
    *args: Any,
    params: ParamsTypes = None,
    data: BodyTypes | AsyncIterable[bytes] = None,
    json: Any = None,
    files: FilesTypes | None = None,
    auth: tuple[str, str] | None = None,
    headers: RequestHeaderTypes | None = None,
    cookies: Mapping[str, str | None] | None = None,
    timeout: TimeoutTypes | Literal["default"] = "default",
    allow_redirects: bool | None = None,
    max_redirects: int | None = None,
    max_body_size: RequestMaxBodySize = "default",
    stream: bool = False,
    **switches: Unpack[RequestSwitches],
) -> Response | AsyncStreamResponse:
    """A request of session on the running event loop, through notifier: AsyncSession's
    requests and Session's *_async ones (no thread per request either way)."""
    if args:
        params, data = positional_params_data(args, params, data)
    async_body = data if isinstance(data, AsyncIterable) else None
    sync_data = None if isinstance(data, AsyncIterable) else data
    prepared = session._prepare(
        method,
        url,
        params=params,
        data=sync_data,
        json=json,
        files=files,
        auth=auth,
        headers=headers,
        cookies=cookies,
        timeout=timeout,
        allow_redirects=allow_redirects,
        max_redirects=max_redirects,
        max_body_size=max_body_size,
        **switches,
    )
    streamed = async_body if async_body is not None else prepared.body
    inline = None if async_body is not None else prepared.inline_body
    started = time.monotonic()
    native = NativeStream(session._live_handle(), prepared.spec, inline)
    upload: asyncio.Task[None] | None = None
    try:
        notifier.watch(native)
        if isinstance(streamed, (StreamedBody, AsyncIterable)):
            upload = start_upload(native, notifier, streamed)
        decide = None
        if "on_redirect" in prepared.spec and prepared.on_redirect is not None:
            decide = async_decider(prepared.on_redirect)
        meta = await _meta_or_upload_error(native, notifier, upload, decide)
        response = AsyncStreamResponse(native, meta, prepared.method, notifier)
        response.elapsed = timedelta(seconds=time.monotonic() - started)
        response._session = session
        response._max_body_size = prepared.max_body_size
        if stream:
            session._open_streams.add(response)
            return response
        async with response:
            content = await response.aread()
        buffered = Response.read_from(response, content)
        buffered._session = session
        return buffered
    except BaseException:
        native.cancel()
        native.close()
        if upload is not None:
            upload.cancel()
        raise


async def _meta_or_upload_error(
    native: NativeStream,
    notifier: LoopNotifier,
    upload: asyncio.Task[None] | None,
    decide: Callable[[PendingRedirect], Awaitable[bool]] | None,
) -> ResponseMeta:
    """The response headers; if the body failed first, the body's own error (the upload
    cancels the stream when its source raises, which the header wait sees as a cancel)."""
    try:
        return await read_meta(native, notifier, decide)
    except StreamError:
        if upload is not None and upload.done() and not upload.cancelled():
            failure = upload.exception()
            if failure is not None:
                raise failure from None
        raise
