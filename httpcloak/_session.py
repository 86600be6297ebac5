"""Session: the blocking API. Every native call waits at most a short slice, so Ctrl-C and
other threads are answered while a request or a read is under way."""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from ._abi import NativeStream
from ._base_session import (
    DEFAULT_MAX_REDIRECTS,
    HTTP_VERSIONS,
    BaseSession,
    HTTPVersion,
)
from ._body import BodyTypes, ParamsTypes, StreamedBody
from ._body_limit import RequestMaxBodySize
from ._exceptions import HTTPCloakError
from ._headers import RequestHeaderTypes
from ._models import Response, StreamResponse
from ._multipart import FilesTypes
from ._redirects import sync_decider
from ._session_upstream import UpstreamCalls
from ._timeouts import TimeoutTypes
from ._upload import send_body
from ._verbs import BoundVerb, RequestOptions, Verb, positional_params_data
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

__all__ = ["DEFAULT_MAX_REDIRECTS", "HTTP_VERSIONS", "HTTPVersion", "Session"]


class Session(UpstreamCalls, BaseSession):
    """A browser-impersonating HTTP session (blocking). See BaseSession for the options."""

    @overload
    def request(
        self,
        method: str,
        url: str,
        *args: Any,
        stream: Literal[False] = False,
        **kwargs: Unpack[RequestOptions],
    ) -> Response: ...

    @overload
    def request(
        self,
        method: str,
        url: str,
        *args: Any,
        stream: Literal[True],
        **kwargs: Unpack[RequestOptions],
    ) -> StreamResponse: ...

    @overload
    def request(
        self, method: str, url: str, *args: Any, stream: bool, **kwargs: Unpack[RequestOptions]
    ) -> Response | StreamResponse: ...

    def request(
        self,
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
    ) -> Response | StreamResponse:
        """Send a request. stream=True returns a StreamResponse the moment the headers
        arrive; otherwise the body is read whole into a Response."""
        if args:
            params, data = positional_params_data(args, params, data)
        prepared = self._prepare(
            method,
            url,
            params=params,
            data=data,
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
        started = time.monotonic()
        native = NativeStream(self._live_handle(), prepared.spec, prepared.inline_body)
        if "on_redirect" in prepared.spec and prepared.on_redirect is not None:
            native.on_redirect = sync_decider(prepared.on_redirect)
        try:
            body = prepared.body
            early_meta = send_body(native, body) if isinstance(body, StreamedBody) else None
            meta = early_meta or native.wait_meta()
            response = StreamResponse(native, meta, prepared.method)
            response.elapsed = timedelta(seconds=time.monotonic() - started)
            response._session = self
            response._max_body_size = prepared.max_body_size
            if stream:
                self._open_streams.add(response)
                return response
            with response:
                content = response.read()
            buffered = Response.read_from(response, content)
            buffered._session = self
            return buffered
        except BaseException:
            native.close()
            raise

    get = Verb("GET")
    post = Verb("POST")
    put = Verb("PUT")
    patch = Verb("PATCH")
    delete = Verb("DELETE")
    head = Verb("HEAD", allow_redirects=False)
    options = Verb("OPTIONS")

    # The names the Go, Node and .NET bindings use.
    def get_stream(self, url: str, **kwargs: Unpack[RequestOptions]) -> StreamResponse:
        # mypy cannot pick an overload through **kwargs; the stream=True one applies.
        return cast(StreamResponse, self.get(url, stream=True, **kwargs))

    def request_stream(
        self, method: str, url: str, **kwargs: Unpack[RequestOptions]
    ) -> StreamResponse:
        return cast(StreamResponse, BoundVerb(self, method, {})(url, stream=True, **kwargs))

    def warmup(
        self,
        url: str,
        timeout: float | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Response:
        """Visit url as a browser's first visit does: the page with the preset's navigation
        headers; then, if it is HTML, up to limit of its subresources (stylesheets, scripts,
        images, icons, preloads) with the headers a browser sends for each kind, on up to
        concurrency threads. ``timeout`` is in milliseconds, as in the upstream binding, and
        bounds each of these requests (None or 0: the session's timeout). Subresource bodies
        are read to the end and dropped; a failed
        one is counted in the page's .warmup (a WarmupResult), never raised. Cookies, TLS
        session tickets and pooled connections stay (docs/session-options.md)."""
        check_concurrency(concurrency)
        per_request = warmup_timeout(timeout)
        page = self.get(url, timeout=per_request)
        resources, skipped = page_subresources(page, limit)

        def load(resource: Subresource) -> SubresourceResult:
            return self._load_subresource(resource, page.url, per_request)

        results: list[SubresourceResult] = []
        if resources:
            pool = ThreadPoolExecutor(min(concurrency, len(resources)), "httpcloak-warmup")
            try:
                results = list(pool.map(load, resources))
            finally:
                # On Ctrl-C the loads not started are dropped; running ones end within
                # their timeout.
                pool.shutdown(wait=True, cancel_futures=True)
        page.warmup = WarmupResult(tuple(results), skipped)
        return page

    def _load_subresource(
        self, resource: Subresource, page_url: str, timeout: TimeoutTypes | Literal["default"]
    ) -> SubresourceResult:
        headers = subresource_headers(resource, page_url)
        try:
            with self.get(resource.url, headers=headers, timeout=timeout, stream=True) as r:
                for _ in r.iter_bytes():
                    pass
        except HTTPCloakError as exc:
            return SubresourceResult(resource.url, resource.dest, error=str(exc))
        return SubresourceResult(resource.url, resource.dest, r.status_code)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
