"""httpx transports: existing httpx code gets the preset's fingerprint.

    httpx.Client(transport=httpcloak.HTTPTransport(preset="chrome-latest"))
    httpx.AsyncClient(transport=httpcloak.AsyncHTTPTransport(preset="chrome-latest"))

Every request goes out through a httpcloak Session (AsyncSession): the preset's TLS and
HTTP/2 fingerprint and its headers in its order. httpx keeps redirects, cookies, auth and
event hooks. Needs the ``httpx`` extra.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any, NoReturn

import httpx

from ._adapter_common import browser_headers, refuse_client_cert, session_options
from ._async_models import AsyncStreamResponse
from ._async_session import AsyncSession
from ._exceptions import ConnectError as CloakConnectError
from ._exceptions import (
    ConnectTimeout,
    HTTPCloakError,
    ProtocolError,
    ProxyError,
    TimeoutException,
    TLSError,
    TransportError,
)
from ._models import StreamResponse, body_is_encoded
from ._session import Session
from ._timeouts import Timeout

__all__ = ["AsyncHTTPTransport", "HTTPTransport"]

_library_defaults: dict[str, str] | None = None

# The engine's protocol names -> what httpx shows as response.http_version.
HTTP_VERSIONS = {"h1": b"HTTP/1.1", "h2": b"HTTP/2", "h3": b"HTTP/3"}


def _httpx_defaults() -> dict[str, str]:
    """The headers an httpx client adds by itself (its User-Agent, Accept, ...), read from
    a client that never sends anything."""
    global _library_defaults
    if _library_defaults is None:
        with httpx.Client(transport=httpx.BaseTransport()) as client:
            _library_defaults = dict(client.headers)
    return _library_defaults


class _TransportBase:
    """Options shared by both transports; the session is made by each."""

    def _checked_options(self, verify: Any, cert: Any, options: dict[str, Any]) -> dict[str, Any]:
        refuse_client_cert(cert)
        if not isinstance(verify, (bool, str, os.PathLike)):
            raise TypeError(
                "verify= must be True, False or a CA bundle path: an ssl.SSLContext cannot "
                "carry the preset's TLS fingerprint"
            )
        return session_options(options)

    @staticmethod
    def _request_args(request: httpx.Request) -> dict[str, Any]:
        headers = browser_headers(request.headers.multi_items(), _httpx_defaults())
        # httpx writes Host from the URL; the engine does the same, in the preset's place.
        headers = [
            (name, value)
            for name, value in headers
            if not (name.lower() == "host" and value == request.url.netloc.decode("ascii"))
        ]
        return {
            "headers": headers,
            "timeout": _timeout(request.extensions.get("timeout")),
            "allow_redirects": False,
            "stream": True,
        }


class HTTPTransport(_TransportBase, httpx.BaseTransport):
    """``httpx.Client(transport=httpcloak.HTTPTransport(preset=...))``.

    ``verify`` (bool or CA bundle path) and ``proxy`` are the transport's (httpx gives
    them to the transports it makes itself, never to yours); other keyword arguments are
    ``httpcloak.Session``'s. ``cert=`` (client certificates) is refused."""

    def __init__(
        self,
        preset: str = "chrome-latest",
        *,
        verify: bool | str | os.PathLike[str] = True,
        proxy: str | None = None,
        cert: Any = None,
        **session_options_: Any,
    ) -> None:
        options = self._checked_options(verify, cert, session_options_)
        self.session = Session(preset, verify=verify, proxy=proxy, **options)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            data: Any = request.content
        except httpx.RequestNotRead:
            data = _sync_chunks(request)
        try:
            response = self.session.request(
                request.method, str(request.url), data=data, **self._request_args(request)
            )
        except TransportError as error:
            _raise_httpx_error(error, request)
        return _httpx_response(response, _SyncBody(response, request))

    def close(self) -> None:
        self.session.close()


class AsyncHTTPTransport(_TransportBase, httpx.AsyncBaseTransport):
    """``httpx.AsyncClient(transport=httpcloak.AsyncHTTPTransport(preset=...))``: the same
    over an AsyncSession (no thread per request). Use it in one event loop."""

    def __init__(
        self,
        preset: str = "chrome-latest",
        *,
        verify: bool | str | os.PathLike[str] = True,
        proxy: str | None = None,
        cert: Any = None,
        **session_options_: Any,
    ) -> None:
        options = self._checked_options(verify, cert, session_options_)
        self.session = AsyncSession(preset, verify=verify, proxy=proxy, **options)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            data: Any = request.content
        except httpx.RequestNotRead:
            data = _async_chunks(request)
        try:
            response = await self.session.request(
                request.method, str(request.url), data=data, **self._request_args(request)
            )
        except TransportError as error:
            _raise_httpx_error(error, request)
        return _httpx_response(response, _AsyncBody(response, request))

    async def aclose(self) -> None:
        self.session.close()


def _sync_chunks(request: httpx.Request) -> Iterator[bytes]:
    stream = request.stream
    if not isinstance(stream, httpx.SyncByteStream):
        raise TypeError("an async request body needs httpcloak.AsyncHTTPTransport")
    yield from stream


async def _async_chunks(request: httpx.Request) -> AsyncIterator[bytes]:
    stream = request.stream
    if not isinstance(stream, httpx.AsyncByteStream):
        raise TypeError("a sync request body needs httpcloak.HTTPTransport")
    async for chunk in stream:
        yield chunk


def _httpx_response(
    response: StreamResponse | AsyncStreamResponse,
    body: httpx.SyncByteStream | httpx.AsyncByteStream,
) -> httpx.Response:
    """httpx decodes by Content-Encoding; the engine already did, so the encoding and the
    encoded length leave the headers (they describe bytes httpx never sees) and stay in
    ``response.extensions["httpcloak_content_encoding"]``."""
    pairs = response.headers.multi_items()
    extensions: dict[str, Any] = {
        "http_version": HTTP_VERSIONS.get(response.protocol, b"HTTP/1.1"),
        "reason_phrase": response.reason.encode("latin-1", "replace"),
    }
    if body_is_encoded(response.headers):
        extensions["httpcloak_content_encoding"] = response.headers["content-encoding"]
        pairs = [
            (name, value)
            for name, value in pairs
            if name.lower() not in ("content-encoding", "content-length")
        ]
    return httpx.Response(response.status_code, headers=pairs, stream=body, extensions=extensions)


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, response: StreamResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._response.iter_bytes()
        except TransportError as error:
            _raise_httpx_error(error, self._request)

    def close(self) -> None:
        self._response.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, response: AsyncStreamResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except TransportError as error:
            _raise_httpx_error(error, self._request)

    async def aclose(self) -> None:
        self._response.close()


def _timeout(timeout: Any) -> Timeout | None:
    """httpx's per-request timeout extension: connect and read map to ours."""
    if not timeout:
        return None
    return Timeout(connect=timeout.get("connect"), read=timeout.get("read"))


def _raise_httpx_error(error: HTTPCloakError, request: httpx.Request) -> NoReturn:
    kind: type[httpx.TransportError]
    if isinstance(error, ConnectTimeout):
        kind = httpx.ConnectTimeout
    elif isinstance(error, TimeoutException):
        kind = httpx.ReadTimeout
    elif isinstance(error, ProxyError):
        kind = httpx.ProxyError
    elif isinstance(error, ProtocolError):
        kind = httpx.RemoteProtocolError
    elif isinstance(error, (CloakConnectError, TLSError)):
        kind = httpx.ConnectError  # httpx reports a failed handshake as ConnectError too
    else:
        kind = httpx.TransportError
    raise kind(str(error), request=request) from error
