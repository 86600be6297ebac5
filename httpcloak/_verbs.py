"""session.get/post/... typed once: stream=True gives a StreamResponse, else a Response."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

from ._base_session import BaseSession
from ._body import BodyTypes, ParamsTypes
from ._headers import RequestHeaderTypes
from ._models import Response, StreamResponse
from ._multipart import FilesTypes
from ._redirects import OnRedirect
from ._timeouts import TimeoutTypes

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._async_models import AsyncStreamResponse
    from ._async_session import AsyncSession
    from ._session import Session


class RequestSwitches(TypedDict, total=False):
    """A request's fingerprint switches and redirect hook, by the upstream bindings' names."""

    disable_conditional_cache: bool
    disable_client_hints: bool
    disable_high_entropy_client_hints: bool
    disable_redirect_referer: bool
    header_order: Sequence[str] | None
    exact_headers: bool
    fetch_mode: str | None
    fetch_dest: str | None
    on_redirect: OnRedirect | None


class RequestOptions(RequestSwitches, total=False):
    """The keyword arguments every request method takes besides ``stream``."""

    params: ParamsTypes
    data: BodyTypes | AsyncIterable[bytes]  # async iterables: AsyncSession only
    json: Any
    files: FilesTypes | None
    auth: tuple[str, str] | None
    headers: RequestHeaderTypes | None
    cookies: Mapping[str, str | None] | None
    timeout: TimeoutTypes | Literal["default"]
    allow_redirects: bool | None
    max_redirects: int | None
    max_body_size: int | None | Literal["default"]


# The arguments the upstream binding takes by position after the URL (those of requests,
# and a few more: params of delete/head/options, json and files of put/patch).
POSITIONAL: dict[str, tuple[str, ...]] = {
    "GET": ("params",),
    "DELETE": ("params",),
    "HEAD": ("params",),
    "OPTIONS": ("params",),
    "POST": ("data", "json", "files"),
    "PUT": ("data", "json", "files"),
    "PATCH": ("data", "json", "files"),
}
REQUEST_POSITIONAL = ("params", "data")  # request(method, url, params, data)


def by_name(
    call: str, names: tuple[str, ...], args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """Name the positional arguments after the URL, as requests does for this call."""
    if len(args) > len(names):
        taken = ", ".join(names) or "none"
        raise TypeError(
            f"{call}() takes the URL and at most {len(names)} more positional argument(s) "
            f"({taken}); pass the rest by keyword"
        )
    named = dict(zip(names, args, strict=False))
    for name in named:
        if name in kwargs:
            raise TypeError(f"{call}() got {name!r} both by position and by keyword")
    return named


def verb_options(
    method: str, defaults: RequestOptions, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> RequestOptions:
    """A verb call's options: its defaults, then its positional arguments by name (only
    when there are any), then its keyword arguments."""
    if args:
        named = by_name(method.lower(), POSITIONAL.get(method, ()), args, kwargs)
        return {**defaults, **named, **kwargs}  # type: ignore[typeddict-item]
    return {**defaults, **kwargs}  # type: ignore[typeddict-item]


def positional_params_data(args: tuple[Any, ...], params: Any, data: Any) -> tuple[Any, Any]:
    """request(method, url, params, data): the positional ones, refused twice over."""
    given = {"params": params, "data": data}
    named = by_name(
        "request", REQUEST_POSITIONAL, args, {k: v for k, v in given.items() if v is not None}
    )
    return named.get("params", params), named.get("data", data)


class BoundVerb:
    """One HTTP method bound to a session, e.g. ``session.get`` (or, for the module-level
    ``httpcloak.get``, to a function that gives the default session)."""

    def __init__(
        self, session: Session | Callable[[], Session], method: str, defaults: RequestOptions
    ) -> None:
        self._session = session
        self._method = method
        self._defaults = defaults

    @overload
    def __call__(
        self,
        url: str,
        *args: Any,
        stream: Literal[False] = False,
        **kwargs: Unpack[RequestOptions],
    ) -> Response: ...

    @overload
    def __call__(
        self, url: str, *args: Any, stream: Literal[True], **kwargs: Unpack[RequestOptions]
    ) -> StreamResponse: ...

    @overload
    def __call__(
        self, url: str, *args: Any, stream: bool, **kwargs: Unpack[RequestOptions]
    ) -> Response | StreamResponse: ...

    def __call__(
        self, url: str, *args: Any, stream: bool = False, **kwargs: Unpack[RequestOptions]
    ) -> Response | StreamResponse:
        options = verb_options(self._method, self._defaults, args, kwargs)
        session = self._session if isinstance(self._session, BaseSession) else self._session()
        return session.request(self._method, url, stream=stream, **options)

    def __repr__(self) -> str:
        return f"<{self._method} of {self._session!r}>"


class Verb:
    """Declares a request method on Session: ``get = Verb("GET")``."""

    def __init__(self, method: str, **defaults: Any) -> None:
        self._method = method
        self._defaults: RequestOptions = defaults  # type: ignore[assignment]

    def __get__(self, session: Session, owner: type[Session] | None = None) -> BoundVerb:
        return BoundVerb(session, self._method, self._defaults)


class AsyncBoundVerb:
    """One HTTP method bound to an AsyncSession, e.g. ``await session.get(url)``."""

    def __init__(self, session: AsyncSession, method: str, defaults: RequestOptions) -> None:
        self._session = session
        self._method = method
        self._defaults = defaults

    @overload
    async def __call__(
        self,
        url: str,
        *args: Any,
        stream: Literal[False] = False,
        **kwargs: Unpack[RequestOptions],
    ) -> Response: ...

    @overload
    async def __call__(
        self, url: str, *args: Any, stream: Literal[True], **kwargs: Unpack[RequestOptions]
    ) -> AsyncStreamResponse: ...

    @overload
    async def __call__(
        self, url: str, *args: Any, stream: bool, **kwargs: Unpack[RequestOptions]
    ) -> Response | AsyncStreamResponse: ...

    async def __call__(
        self, url: str, *args: Any, stream: bool = False, **kwargs: Unpack[RequestOptions]
    ) -> Response | AsyncStreamResponse:
        options = verb_options(self._method, self._defaults, args, kwargs)
        return await self._session.request(self._method, url, stream=stream, **options)


class AsyncVerb:
    """Declares a request method on AsyncSession: ``get = AsyncVerb("GET")``."""

    def __init__(self, method: str, **defaults: Any) -> None:
        self._method = method
        self._defaults: RequestOptions = defaults  # type: ignore[assignment]

    def __get__(
        self, session: AsyncSession, owner: type[AsyncSession] | None = None
    ) -> AsyncBoundVerb:
        return AsyncBoundVerb(session, self._method, self._defaults)
