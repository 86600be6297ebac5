"""httpcloak.get(...) and friends: requests on a hidden default session.

The session is made on first use with the options given to configure() (or the defaults),
and shared by every thread of the process."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal, overload

from ._models import Response, StreamResponse
from ._module_verbs import ModuleVerb
from ._session import Session
from ._verbs import REQUEST_POSITIONAL, by_name

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._module_verbs import ModuleRequestOptions

_lock = threading.Lock()
_options: dict[str, Any] = {}
_session: Session | None = None


# configure's positional arguments, in the upstream binding's order.
CONFIGURE_POSITIONAL = ("preset", "headers", "auth", "proxy")


def configure(*args: Any, **session_options: Any) -> None:
    """Set the options of the default session (those of Session); the next module-level
    request uses a new default session made with them. The preset, headers, auth and proxy
    may come by position, as in the upstream binding: ``configure("firefox-latest")``."""
    global _session, _options
    session_options.update(by_name("configure", CONFIGURE_POSITIONAL, args, session_options))
    Session(**session_options).close()  # refuse bad options now, not at the next request
    with _lock:
        old, _session, _options = _session, None, dict(session_options)
    if old is not None:
        old.close()


def default_session() -> Session:
    global _session
    with _lock:
        if _session is None or _session.closed:
            _session = Session(**_options)
        return _session


@overload
def request(
    method: str,
    url: str,
    *args: Any,
    stream: Literal[False] = False,
    **kwargs: Unpack[ModuleRequestOptions],
) -> Response: ...


@overload
def request(
    method: str, url: str, *args: Any, stream: Literal[True], **kwargs: Unpack[ModuleRequestOptions]
) -> StreamResponse: ...


def request(
    method: str, url: str, *args: Any, stream: bool = False, **kwargs: Unpack[ModuleRequestOptions]
) -> Response | StreamResponse:
    """Session.request on the default session (params and data may come by position)."""
    named = by_name("request", REQUEST_POSITIONAL, args, kwargs)
    verb = ModuleVerb(default_session, _current_options, method, {})
    return verb(url, stream=stream, **named, **kwargs)


def _current_options() -> dict[str, Any]:
    with _lock:
        return dict(_options)


def _verb(method: str, **defaults: Any) -> ModuleVerb:
    return ModuleVerb(default_session, _current_options, method, defaults)  # type: ignore[arg-type]


get = _verb("GET")
post = _verb("POST")
put = _verb("PUT")
patch = _verb("PATCH")
delete = _verb("DELETE")
head = _verb("HEAD", allow_redirects=False)
options = _verb("OPTIONS")
