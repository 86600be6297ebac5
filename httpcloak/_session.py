"""Session: one browser identity (preset, connections, cookie jar) and its requests."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from . import _ffi
from ._body import (
    BodyTypes,
    ParamsTypes,
    StreamedBody,
    cookie_header,
    encode_body,
    with_params,
)
from ._cookies import Cookie, Cookies
from ._exceptions import InvalidArgument, StreamClosed
from ._headers import Headers, HeaderTypes
from ._models import Response, StreamResponse
from ._native_stream import NativeStream
from ._timeouts import DEFAULT_TIMEOUT, Timeout, TimeoutTypes, to_timeout
from ._upload import send_body
from ._verbs import BoundVerb, RequestOptions, Verb

if TYPE_CHECKING:
    from typing_extensions import Unpack

HTTPVersion = Literal["auto", "h1", "h2", "h3"]
_HTTP_VERSIONS = ("auto", "h1", "h2", "h3")
DEFAULT_MAX_REDIRECTS = 30


class Session:
    """A browser-impersonating HTTP session.

    ``preset`` picks the browser whose TLS and HTTP/2 fingerprint and headers are sent.
    ``timeout`` is in seconds: a number (connect and read), a (connect, read) tuple, or a
    Timeout; None disables them. ``verify`` is True, False, or a path to a CA bundle.
    """

    def __init__(
        self,
        preset: str = "chrome-latest",
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        http_version: HTTPVersion = "auto",
        verify: bool | str | os.PathLike[str] = True,
        proxy: str | None = None,
        allow_redirects: bool = True,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        headers: HeaderTypes | None = None,
    ) -> None:
        _ffi.check_not_forked()
        if not isinstance(preset, str):
            raise TypeError(f"preset must be a str, not {type(preset).__name__}")
        if http_version not in _HTTP_VERSIONS:
            raise InvalidArgument(
                f"http_version must be one of {', '.join(_HTTP_VERSIONS)}, got {http_version!r}"
            )
        self.timeout: Timeout = to_timeout(timeout)
        self.allow_redirects = bool(allow_redirects)
        self.max_redirects = _check_max_redirects(max_redirects)
        self.headers = Headers(headers)
        self.preset = preset
        self.http_version = http_version
        options: dict[str, Any] = {
            "preset": preset,
            "http_version": http_version,
            "verify": verify is not False,
            "headers": self.headers.multi_items(),
        }
        if isinstance(verify, (str, os.PathLike)):
            options["ca_file"] = os.fspath(verify)
        elif not isinstance(verify, bool):
            raise TypeError(
                f"verify must be a bool or a CA bundle path, not {type(verify).__name__}"
            )
        if proxy is not None:
            options["proxy"] = proxy
        encoded = _ffi.encode_json(options)
        err = _ffi.error_slot()
        handle = _ffi.lib.hc_session_new(encoded, len(encoded), err)
        if handle == 0:
            _ffi.raise_error(err)
        self._owned = _ffi.OwnedHandle(handle, _ffi.lib.hc_session_close)

    # ---- requests -------------------------------------------------------------------

    @overload
    def request(
        self,
        method: str,
        url: str,
        *,
        stream: Literal[False] = False,
        **kwargs: Unpack[RequestOptions],
    ) -> Response: ...

    @overload
    def request(
        self, method: str, url: str, *, stream: Literal[True], **kwargs: Unpack[RequestOptions]
    ) -> StreamResponse: ...

    @overload
    def request(
        self, method: str, url: str, *, stream: bool, **kwargs: Unpack[RequestOptions]
    ) -> Response | StreamResponse: ...

    def request(
        self,
        method: str,
        url: str,
        *,
        params: ParamsTypes = None,
        data: BodyTypes = None,
        json: Any = None,
        headers: HeaderTypes | None = None,
        cookies: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | Literal["default"] = "default",
        allow_redirects: bool | None = None,
        max_redirects: int | None = None,
        stream: bool = False,
    ) -> Response | StreamResponse:
        """Send a request. stream=True returns a StreamResponse the moment the headers
        arrive; otherwise the body is read whole into a Response."""
        if not isinstance(method, str) or not isinstance(url, str):
            raise TypeError("method and url must be str")
        body, content_type = encode_body(data, json)
        request_headers = Headers(headers)
        if content_type is not None and "content-type" not in request_headers:
            request_headers["content-type"] = content_type
        cookie = cookie_header(cookies)
        if cookie is not None:
            request_headers["cookie"] = cookie
        resolved = self.timeout if timeout == "default" else to_timeout(timeout)
        verb = method.upper()
        spec: dict[str, Any] = {
            "method": verb,
            "url": with_params(url, params),
            "headers": request_headers.multi_items(),
            "timeout": resolved.as_json(),
            "allow_redirects": self.allow_redirects
            if allow_redirects is None
            else bool(allow_redirects),
            "max_redirects": self.max_redirects
            if max_redirects is None
            else _check_max_redirects(max_redirects),
        }
        inline = None if isinstance(body, StreamedBody) else body
        if isinstance(body, StreamedBody) and body.length is not None:
            spec["content_length"] = body.length
        native = NativeStream(self._live_handle(), spec, inline)
        try:
            early_meta = send_body(native, body) if isinstance(body, StreamedBody) else None
            meta = early_meta or native.wait_meta()
            response = StreamResponse(native, meta, verb)
            if stream:
                return response
            with response:
                return Response(meta, verb, response.read())
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

    # ---- state ----------------------------------------------------------------------

    @property
    def cookies(self) -> Cookies:
        """A snapshot of the cookie jar."""
        out = _ffi.ffi.new("char **")
        err = _ffi.error_slot()
        length = _ffi.lib.hc_session_cookies(self._live_handle(), out, err)
        if length < 0:
            _ffi.raise_error(err)
        return Cookies([Cookie.from_json(c) for c in _ffi.take_json(out[0], length)])

    @property
    def closed(self) -> bool:
        return self._owned.value == 0

    def _live_handle(self) -> int:
        _ffi.check_not_forked()
        handle = self._owned.value
        if handle == 0:
            raise StreamClosed("the session is closed")
        return handle

    def close(self) -> None:
        """Close the session and every stream still open on it. Idempotent."""
        self._owned.release()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if hasattr(self, "_owned"):
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Session preset={self.preset!r} {state}>"


def _check_max_redirects(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"max_redirects must be a non-negative int, got {value!r}")
    return value
