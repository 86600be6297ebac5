"""A requests transport adapter: existing requests code gets the preset's fingerprint.

    s = requests.Session()
    s.mount("https://", httpcloak.adapters.HTTPAdapter(preset="chrome-latest"))

Every request goes out through a httpcloak Session: the preset's TLS and HTTP/2
fingerprint and its headers in its order. requests keeps what it does best: redirects
(history), the cookie jar, auth, hooks. Needs the ``requests`` extra.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping
from email.message import Message
from http.client import HTTPMessage
from typing import Any, NoReturn

import requests
import requests.exceptions as rx
from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import default_headers, get_encoding_from_headers, select_proxy

from ._adapter_common import browser_headers, refuse_client_cert, session_options
from ._exceptions import (
    ConnectTimeout,
    HTTPCloakError,
    ProtocolError,
    ProxyError,
    TimeoutException,
    TLSError,
    TransportError,
)
from ._models import StreamResponse
from ._session import Session
from ._timeouts import Timeout

__all__ = ["BodyReadTimeout", "HTTPAdapter"]


class BodyReadTimeout(rx.ReadTimeout, rx.ConnectionError):
    """The body went silent past the read timeout. requests itself raises ConnectionError
    there (and ReadTimeout before the headers): this is both, so either ``except`` works."""


class HTTPAdapter(BaseAdapter):
    """Send requests' requests through httpcloak sessions of one preset.

    ``preset`` and ``session_options`` are those of ``httpcloak.Session`` (http_version,
    ja3, connect_to, retry, ...), except verify and proxy, which requests gives per request
    (``verify=``, ``proxies=``): one session per (verify, proxy) pair is kept.
    Redirects and cookies stay with requests; ``cert=`` (client certificates) is refused.
    """

    def __init__(self, preset: str = "chrome-latest", **session_options_: Any) -> None:
        super().__init__()
        for name in ("verify", "proxy"):
            if name in session_options_:
                raise TypeError(f"{name}= goes to requests (per request), not to the adapter")
        self.preset = preset
        self._options = session_options(session_options_)
        self._sessions: dict[tuple[bool | str, str | None], Session] = {}
        self._lock = threading.Lock()
        self._session_for(True, None)  # refuses bad options now, not at the first request
        self._library_defaults = dict(default_headers())

    def _session_for(self, verify: bool | str, proxy: str | None) -> Session:
        key = (verify, proxy)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = Session(self.preset, verify=verify, proxy=proxy, **self._options)
                self._sessions[key] = session
            return session

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        refuse_client_cert(cert)
        if request.url is None or request.method is None:
            raise rx.InvalidURL("the prepared request has no URL or method")
        proxy = select_proxy(request.url, dict(proxies or {}))
        session = self._session_for(verify, proxy)
        headers = browser_headers(_str_pairs(request.headers), self._library_defaults)
        body: Any = request.body  # bytes, str, a file or an iterable: all taken as they are
        try:
            response = session.request(
                request.method,
                request.url,
                data=body,
                headers=headers,
                timeout=_timeout(timeout),
                allow_redirects=False,
                stream=True,
            )
        except TransportError as error:
            _raise_request_error(error, request)
        return self._build_response(request, response)

    def _build_response(
        self, request: requests.PreparedRequest, response: StreamResponse
    ) -> requests.Response:
        built = requests.Response()
        built.status_code = response.status_code
        built.reason = response.reason
        # The server's headers as it sent them (requests shows them so too); the body is
        # decoded once, by the engine, and nothing in requests decodes it again.
        built.headers = CaseInsensitiveDict(_joined(response.headers.multi_items()))
        built.encoding = get_encoding_from_headers(built.headers)
        built.raw = CloakRaw(response, request)
        built.url = request.url or ""
        built.request = request
        built.connection = self  # type: ignore[assignment]  # requests types its own adapter
        extract_cookies_to_jar(built.cookies, request, built.raw)
        return built

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()


class _OriginalResponse:
    """What requests' cookie code reads from ``raw._original_response``: the headers as
    an http.client message (Set-Cookie lines kept apart)."""

    def __init__(self, msg: Message) -> None:
        self.msg = msg


class CloakRaw(io.RawIOBase):
    """``response.raw``: the (already decoded) body as a binary file object, read straight
    from the engine. ``read(n)`` returns what has arrived, at most n bytes; ``stream()`` is
    what ``iter_content`` uses, chunks as they arrive. Errors are requests' exceptions."""

    def __init__(self, response: StreamResponse, request: requests.PreparedRequest) -> None:
        super().__init__()
        self._response = response
        self._request = request
        msg = HTTPMessage()
        for name, value in response.headers.multi_items():
            msg[name] = value  # appends: repeated headers stay separate lines
        self._original_response = _OriginalResponse(msg)
        self.status = response.status_code
        self.reason = response.reason
        self.version = {"h2": 20, "h3": 30}.get(response.protocol, 11)  # as urllib3 numbers them
        self.decode_content = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            return self._response.raw.readinto(buffer)
        except TransportError as error:
            _raise_body_error(error, self._request)

    def read(self, amt: int | None = None, decode_content: bool | None = None) -> bytes:
        """decode_content is accepted for urllib3's signature: the body is always decoded."""
        if amt is None or amt < 0:
            return self.readall()
        return super().read(amt) or b""

    def stream(
        self, amt: int | None = 2**16, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        try:
            yield from self._response.iter_bytes(amt)
        except TransportError as error:
            _raise_body_error(error, self._request)

    def release_conn(self) -> None:
        self.close()

    def close(self) -> None:
        self._response.close()
        super().close()


def _str_pairs(headers: Mapping[str, str | bytes]) -> list[tuple[str, str]]:
    """requests allows bytes header values; they go out as the latin-1 text they are."""
    return [
        (name, value.decode("latin-1") if isinstance(value, bytes) else value)
        for name, value in headers.items()
    ]


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Repeated headers joined by ", ", as requests (through urllib3) shows them."""
    joined: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in pairs:
        lower = name.lower()
        if lower in names:
            joined[names[lower]] += ", " + value
        else:
            names[lower] = name
            joined[name] = value
    return joined


def _timeout(timeout: Any) -> Timeout | None:
    """requests' timeout=: None, seconds, (connect, read), or urllib3's Timeout."""
    if timeout is None:
        return None
    if isinstance(timeout, tuple):
        if len(timeout) != 2:
            raise ValueError(f"a timeout tuple must be (connect, read), got {timeout!r}")
        return Timeout(connect=timeout[0], read=timeout[1])
    if hasattr(timeout, "connect_timeout") and hasattr(timeout, "read_timeout"):
        connect, read = timeout.connect_timeout, timeout.read_timeout
        return Timeout(
            connect=connect if isinstance(connect, (int, float)) else None,
            read=read if isinstance(read, (int, float)) else None,
        )
    return Timeout(connect=timeout, read=timeout)


def _raise_request_error(error: HTTPCloakError, request: requests.PreparedRequest) -> NoReturn:
    """Before the headers: requests' exception for what failed, the original as cause."""
    kind: type[rx.RequestException]
    if isinstance(error, ConnectTimeout):
        kind = rx.ConnectTimeout
    elif isinstance(error, TimeoutException):
        kind = rx.ReadTimeout
    elif isinstance(error, TLSError):
        kind = rx.SSLError
    elif isinstance(error, ProxyError):
        kind = rx.ProxyError
    else:
        kind = rx.ConnectionError
    raise kind(str(error), request=request) from error


def _raise_body_error(error: HTTPCloakError, request: requests.PreparedRequest) -> NoReturn:
    """While reading the body: a cut-short or broken body is ChunkedEncodingError, as
    requests says for a connection that broke mid-body."""
    kind: type[rx.RequestException]
    if isinstance(error, TimeoutException):
        kind = BodyReadTimeout
    elif isinstance(error, ProtocolError):
        kind = rx.ChunkedEncodingError
    else:
        kind = rx.ConnectionError
    raise kind(str(error), request=request) from error
