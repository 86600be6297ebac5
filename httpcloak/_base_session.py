"""What Session and AsyncSession share: options, the native session, request preparation,
the cookie jar and closing. Only the I/O shells (blocking or awaiting) differ."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from . import _abi
from ._abi_types import RequestSpec
from ._body import (
    BodyTypes,
    InlineBody,
    ParamsTypes,
    StreamedBody,
    cookie_header,
    encode_body,
    with_params,
)
from ._body_limit import MaxBodySize, RequestMaxBodySize, check_max_body_size
from ._cookie_jar_api import CookieJarMixin
from ._cookies import Cookie, Cookies
from ._exceptions import InvalidArgument, StreamClosed
from ._fingerprint import fingerprint_options
from ._headers import (
    Headers,
    HeaderTypes,
    RequestHeaderTypes,
    SessionHeaders,
    split_removals,
)
from ._multipart import FilesTypes, multipart_body
from ._netopts import MILLISECONDS, NetworkOptions, network_options
from ._open_streams import OpenStreams
from ._pins import CertificatePins
from ._redirects import OnRedirect, check_on_redirect
from ._runtime import RuntimeSettings
from ._session_state import (
    SAVED_OPTIONS,
    SessionStateMixin,
    saved_headers,
    saved_proxy,
    seconds_as_milliseconds,
)
from ._timeouts import DEFAULT_TIMEOUT, Timeout, TimeoutTypes, to_timeout

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._verbs import RequestSwitches

HTTPVersion = Literal["auto", "h1", "h2", "h3"]
HTTP_VERSIONS = ("auto", "h1", "h2", "h3")
# The spellings the upstream binding's engine accepts for each (bindings/clib there).
HTTP_VERSION_ALIASES: dict[str, HTTPVersion] = {
    "auto": "auto",
    "": "auto",
    **dict.fromkeys(("h1", "http1", "1", "1.1"), "h1"),
    **dict.fromkeys(("h2", "http2", "2"), "h2"),
    **dict.fromkeys(("h3", "http3", "3"), "h3"),
}
DEFAULT_MAX_REDIRECTS = 30
PROXY_OPTIONS = ("proxy", "tcp_proxy", "udp_proxy")


@dataclass
class PreparedRequest:
    """A request ready for the engine: the JSON spec and the body (bytes, or streamed)."""

    spec: RequestSpec
    body: InlineBody | StreamedBody
    max_body_size: MaxBodySize  # the bound on the response body read whole
    on_redirect: OnRedirect | None = None  # asked before each redirect hop

    @property
    def method(self) -> str:
        return self.spec["method"]

    @property
    def inline_body(self) -> InlineBody | None:
        """The bytes to hand over at open, or None when the body is written afterwards."""
        return None if isinstance(self.body, StreamedBody) else self.body


class BaseSession(CookieJarMixin, SessionStateMixin, RuntimeSettings, CertificatePins):
    """A browser identity: preset (TLS/HTTP2 fingerprint and headers), connections, jar.

    ``timeout`` is in seconds: a number (connect and read), a (connect, read) tuple, or a
    Timeout; None disables them. ``verify`` is True, False, or a path to a CA bundle.
    ``ja3``, ``akamai`` and ``extra_fp`` replace the preset's TLS / HTTP/2 fingerprint
    (see ``httpcloak._fingerprint``).
    ``without_cookie_jar=True``: no cookie is stored or sent automatically (``cookies=``
    of a request still is). ``without_client_hints=True``: the preset's ``sec-ch-*``
    headers are left out. ``auth=(user, password)``: basic auth for every request that
    brings neither its own ``auth=`` nor an Authorization header (never saved by marshal).
    ``without_conditional_cache=True``: no ``If-None-Match`` / ``If-Modified-Since`` from the
    ``ETag`` / ``Last-Modified`` of earlier responses (see set_conditional_cache).
    ``switch_protocol``: the protocol ("h1", "h2", "h3", "auto") every ``refresh()`` switches
    new connections to, as upstream's option (requests before the first refresh use
    ``http_version``).
    ``max_body_size``: the most bytes (decoded) a response body read whole may have
    (buffered responses, read(), content, aread()); past it BodyTooLarge. None: no bound.
    ``on_redirect``: called before each redirect hop with a ``Redirect``; it follows
    (returns None/True), stops there (False: the 3xx is the response) or fails the request
    (raises; the caller gets that exception). A request's own ``on_redirect=`` wins.
    Network and retry options (connect_to, local_address, retry, ...): see NetworkOptions.
    """

    def __init__(
        self,
        preset: str = "chrome-latest",
        proxy: str | None = None,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        http_version: HTTPVersion | str = "auto",
        verify: bool | str | os.PathLike[str] = True,
        allow_redirects: bool = True,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        max_body_size: int | None = None,
        headers: HeaderTypes | None = None,
        ja3: str | None = None,
        akamai: str | None = None,
        extra_fp: Mapping[str, Any] | None = None,
        without_cookie_jar: bool = False,
        without_client_hints: bool = False,
        without_conditional_cache: bool = False,
        auth: tuple[str, str] | None = None,
        switch_protocol: HTTPVersion | str | None = None,
        on_redirect: OnRedirect | None = None,
        **network: Unpack[NetworkOptions],
    ) -> None:
        _abi.check_not_forked()
        if not isinstance(preset, str):
            raise TypeError(f"preset must be a str, not {type(preset).__name__}")
        http_version = check_http_version(http_version)
        self.timeout: Timeout = to_timeout(timeout)
        if auth is not None:
            basic_auth(auth)  # refuses a malformed pair now, not at the first request
        self.auth = auth
        self.allow_redirects = bool(allow_redirects)
        self.max_redirects = check_max_redirects(max_redirects)
        self.max_body_size = check_max_body_size(max_body_size)
        check_on_redirect(on_redirect)
        self.on_redirect = on_redirect  # every request's, unless it brings its own
        self._headers = SessionHeaders(headers, edited=False)  # the engine gets them below
        self.preset = preset
        self.http_version = http_version
        if switch_protocol is not None:  # what every refresh() switches to (upstream's option)
            self._switch_protocol = check_http_version(switch_protocol)
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
        options.update(fingerprint_options(ja3, akamai, extra_fp))
        options.update(network_options(network))
        if without_cookie_jar:
            options["without_cookie_jar"] = True
        if without_client_hints:
            options["without_client_hints"] = True
        if without_conditional_cache:
            options["without_conditional_cache"] = True
        # What marshal() saves (see _state_options); proxies, which may hold credentials, are
        # not kept here: marshal() asks the engine for the one in use.
        self._options = {k: v for k, v in options.items() if k not in PROXY_OPTIONS}
        self._owned = _abi.session_new(options)
        self._open_streams = OpenStreams()

    def _prepare(
        self,
        method: str,
        url: str,
        *,
        params: ParamsTypes,
        data: BodyTypes | AsyncIterable[bytes],
        json: Any,
        files: FilesTypes | None,
        auth: tuple[str, str] | None,
        headers: RequestHeaderTypes | None,
        cookies: Mapping[str, str | None] | None,
        timeout: TimeoutTypes | Literal["default"],
        allow_redirects: bool | None,
        max_redirects: int | None,
        max_body_size: RequestMaxBodySize = "default",
        **switches: Unpack[RequestSwitches],
    ) -> PreparedRequest:
        if not isinstance(method, str) or not isinstance(url, str):
            raise TypeError("method and url must be str")
        body: InlineBody | StreamedBody
        content_type: str | None
        if files is not None:
            if json is not None or not (data is None or isinstance(data, Mapping)):
                raise InvalidArgument("files= goes with data= as a mapping of form fields only")
            body, content_type = multipart_body(data, files)
        else:
            body, content_type = encode_body(data, json)
        self._hand_over_headers()
        # A None value removes that header from this request, session's and preset's too.
        request_headers, dropped = split_removals(headers)
        credentials = auth if auth is not None else self.auth
        if credentials is not None and "authorization" not in request_headers:
            request_headers["authorization"] = basic_auth(credentials)
        if content_type is not None and "content-type" not in request_headers:
            request_headers["content-type"] = content_type
        cookie = cookie_header(cookies)
        if cookie is not None:
            request_headers["cookie"] = cookie
        resolved = self.timeout if timeout == "default" else to_timeout(timeout)
        body_limit = check_max_body_size(
            self.max_body_size if max_body_size == "default" else max_body_size
        )
        follow = self.allow_redirects if allow_redirects is None else bool(allow_redirects)
        limit = self.max_redirects if max_redirects is None else max_redirects
        spec: RequestSpec = {
            "method": method.upper(),
            "url": with_params(url, params),
            "headers": request_headers.multi_items(),
            "timeout": resolved.as_json(),
            "allow_redirects": follow,
            "max_redirects": check_max_redirects(limit),
        }
        if dropped:
            spec["drop_headers"] = dropped
        if switches:
            spec.update(request_switches(switches))
        if isinstance(body, StreamedBody) and body.length is not None:
            spec["content_length"] = body.length
        on_redirect = switches.get("on_redirect")
        hook = self.on_redirect if on_redirect is None else on_redirect
        check_on_redirect(hook)
        if hook is not None and follow:
            spec["on_redirect"] = True
        return PreparedRequest(spec, body, body_limit, hook)

    # ---- state ----------------------------------------------------------------------

    @property
    def cookies(self) -> Cookies:
        """A snapshot of the cookie jar."""
        return Cookies([Cookie.from_json(c) for c in _abi.cookies_list(self._live_handle())])

    def _state_options(self) -> dict[str, Any]:
        """What marshal() saves to recreate this session (keyword arguments of __init__):
        the proxies in use now, without credentials; the headers without credentials; every
        other option as given, except the machine-local key log file."""
        o = self._options
        kept = {name: o[name] for name in o if name in SAVED_OPTIONS}
        for name in MILLISECONDS:  # the engine's seconds, saved in the unit given
            if name in kept:
                kept[name] = seconds_as_milliseconds(kept[name])
        udp_proxy = self.get_udp_proxy()
        if udp_proxy is not None:
            kept.update(saved_proxy(udp_proxy, "udp_proxy"))
        return {
            **kept,
            "preset": self.preset,
            "http_version": self.http_version,
            "verify": o.get("ca_file", o["verify"]),
            "headers": saved_headers(Headers(self.headers)),  # as edited since, too
            **saved_proxy(self.get_proxy()),
            "timeout": self.timeout.as_json(),
            "allow_redirects": self.allow_redirects,
            "max_redirects": self.max_redirects,
            **({} if self.max_body_size is None else {"max_body_size": self.max_body_size}),
        }

    @property
    def headers(self) -> Headers:
        """The session's own headers, sent over the preset's. Edit them (or assign a new
        mapping) as with requests: the change applies from the next request."""
        return self._headers

    @headers.setter
    def headers(self, headers: Headers) -> None:
        self._headers = SessionHeaders(headers)

    def _hand_over_headers(self) -> None:
        """Give the engine s.headers again if they were edited or replaced since it last
        got them: it reads its copy for every request (and for the header order)."""
        headers = self._headers
        if headers.edited:
            headers.edited = False  # first: an edit from another thread meanwhile counts
            try:
                _abi.headers_set(self._live_handle(), headers.multi_items())
            except BaseException:
                headers.edited = True  # refused (a control character): so is the next try
                raise

    # Redirect settings as the upstream binding names them; the same as the attributes
    # allow_redirects and max_redirects, which requests also take per call.
    def set_follow_redirects(self, enabled: bool) -> None:
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, not {type(enabled).__name__}")
        self.allow_redirects = enabled

    def get_follow_redirects(self) -> bool:
        return self.allow_redirects

    def set_max_redirects(self, max_redirects: int) -> None:
        self.max_redirects = check_max_redirects(max_redirects)

    def get_max_redirects(self) -> int:
        return self.max_redirects

    def stats(self) -> dict[str, Any]:
        """A snapshot: preset, created_at and last_used (unix seconds), age_seconds,
        idle_seconds, request_count, open_streams, cookie_count, tls_sessions, identifier."""
        stats: dict[str, Any] = {"preset": self.preset, **_abi.session_stats(self._live_handle())}
        return stats

    def idle_time(self) -> float:
        """Seconds since the session last started or finished a request (or touch());
        -1.0 once it is closed."""
        if self.closed:
            return -1.0
        idle: float = _abi.session_stats(self._live_handle())["idle_seconds"]
        return idle

    def is_active(self) -> bool:
        """True until close()."""
        return not self.closed

    @property
    def closed(self) -> bool:
        return self._owned.value == 0

    def _live_handle(self) -> int:
        _abi.check_not_forked()
        handle = self._owned.value
        if handle == 0:
            raise StreamClosed("the session is closed")
        return handle

    def close(self) -> None:
        """Close the session and every stream still open on it. Idempotent; never blocks."""
        self._owned.release()  # first: the library closes all its streams at once
        open_streams = getattr(self, "_open_streams", None)  # None: __init__ failed early
        if open_streams is not None:
            open_streams.close_all()

    def __del__(self) -> None:
        if hasattr(self, "_owned"):
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<{type(self).__name__} preset={self.preset!r} {state}>"


def basic_auth(auth: tuple[str, str]) -> str:
    if not (isinstance(auth, tuple) and len(auth) == 2 and all(isinstance(a, str) for a in auth)):
        raise TypeError("auth= must be a (username, password) tuple of str")
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
    return f"Basic {token}"


def check_http_version(value: object) -> HTTPVersion:
    """ "auto", "h1", "h2" or "h3" for any spelling the upstream binding takes ("http2", "2",
    "1.1", ...)."""
    if not isinstance(value, str):
        raise TypeError(f"http_version must be a str, not {type(value).__name__}")
    canonical = HTTP_VERSION_ALIASES.get(value.lower())
    if canonical is None:
        raise InvalidArgument(
            f"http_version must be one of {', '.join(HTTP_VERSIONS)} (or http1, http2, http3, "
            f"1.1, 2, 3), got {value!r}"
        )
    return canonical


def check_max_redirects(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"max_redirects must be a non-negative int, got {value!r}")
    return value


_SWITCH_FLAGS = (
    "disable_conditional_cache",
    "disable_client_hints",
    "disable_high_entropy_client_hints",
    "disable_redirect_referer",
    "exact_headers",
)


def request_switches(switches: RequestSwitches) -> RequestSpec:
    """A request's fingerprint switches as the engine takes them (only those turned on;
    on_redirect is the caller's, not the engine's)."""
    out: dict[str, Any] = {}
    for name in _SWITCH_FLAGS:
        value = switches.get(name, False)
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
        if value:
            out[name] = True
    header_order = switches.get("header_order")
    if header_order is not None:
        if isinstance(header_order, str) or not all(isinstance(n, str) for n in header_order):
            raise TypeError("header_order must be a sequence of header names (str)")
        out["header_order"] = list(header_order)
    # What the request is for (the other bindings' fetch_mode); the engine checks it.
    for name in ("fetch_mode", "fetch_dest"):
        value = switches.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")
            out[name] = value
    return cast(RequestSpec, out)
