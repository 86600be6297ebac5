"""httpcloak.get(url, verify=False, proxy=...): module-level requests may also carry
session options, as in the upstream binding. Those requests run on a session of their own
(the default session's options with these on top), closed when the response is done."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, overload

from ._models import Response, StreamResponse
from ._netopts import NetworkOptions
from ._session import Session
from ._verbs import BoundVerb, RequestOptions

if TYPE_CHECKING:
    import os

    from typing_extensions import Unpack

    from ._session import HTTPVersion


class ModuleRequestOptions(RequestOptions, NetworkOptions, total=False):
    """RequestOptions plus the Session options a single module-level call may set."""

    preset: str
    verify: bool | str | os.PathLike[str]
    proxy: str | None
    http_version: HTTPVersion
    ja3: str | None
    akamai: str | None
    extra_fp: dict[str, Any] | None
    without_cookie_jar: bool
    without_client_hints: bool
    without_conditional_cache: bool


_SESSION_ONLY = frozenset(ModuleRequestOptions.__annotations__) - frozenset(
    RequestOptions.__annotations__
)


class ModuleVerb(BoundVerb):
    def __init__(
        self,
        default: Callable[[], Session],
        options: Callable[[], dict[str, Any]],
        method: str,
        defaults: RequestOptions,
    ) -> None:
        super().__init__(default, method, defaults)
        self._default_options = options

    @overload
    def __call__(
        self,
        url: str,
        *args: Any,
        stream: Literal[False] = False,
        **kwargs: Unpack[ModuleRequestOptions],
    ) -> Response: ...

    @overload
    def __call__(
        self, url: str, *args: Any, stream: Literal[True], **kwargs: Unpack[ModuleRequestOptions]
    ) -> StreamResponse: ...

    @overload
    def __call__(
        self, url: str, *args: Any, stream: bool, **kwargs: Unpack[ModuleRequestOptions]
    ) -> Response | StreamResponse: ...

    def __call__(
        self, url: str, *args: Any, stream: bool = False, **kwargs: Unpack[ModuleRequestOptions]
    ) -> Response | StreamResponse:
        request: dict[str, Any] = dict(kwargs)
        own = {name: request.pop(name) for name in list(request) if name in _SESSION_ONLY}
        if not own:
            return self._send(self._session, url, args, stream, request)
        session = Session(**{**self._default_options(), **own})
        try:
            response = self._send(session, url, args, stream, request)
        except BaseException:
            session.close()
            raise
        if isinstance(response, StreamResponse):
            response._owner = session  # lives as long as the stream; closes with it
        else:
            session.close()
        return response

    def _send(
        self,
        session: Session | Callable[[], Session],
        url: str,
        args: tuple[Any, ...],
        stream: bool,
        request: dict[str, Any],
    ) -> Response | StreamResponse:
        verb: Any = BoundVerb(session, self._method, self._defaults)
        response: Response | StreamResponse = verb(url, *args, stream=stream, **request)
        return response
