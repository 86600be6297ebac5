"""httpcloak.get(...) and friends: requests on a hidden default session.

The session is made on first use with the options given to configure() (or the defaults),
and shared by every thread of the process."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal, overload

from ._models import Response, StreamResponse
from ._session import Session
from ._verbs import BoundVerb

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._verbs import RequestOptions

_lock = threading.Lock()
_options: dict[str, Any] = {}
_session: Session | None = None


def configure(**session_options: Any) -> None:
    """Set the options of the default session (those of Session); the next module-level
    request uses a new default session made with them."""
    global _session, _options
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
    method: str, url: str, *, stream: Literal[False] = False, **kwargs: Unpack[RequestOptions]
) -> Response: ...


@overload
def request(
    method: str, url: str, *, stream: Literal[True], **kwargs: Unpack[RequestOptions]
) -> StreamResponse: ...


def request(
    method: str, url: str, *, stream: bool = False, **kwargs: Unpack[RequestOptions]
) -> Response | StreamResponse:
    """Session.request on the default session."""
    return BoundVerb(default_session, method, {})(url, stream=stream, **kwargs)


get = BoundVerb(default_session, "GET", {})
post = BoundVerb(default_session, "POST", {})
put = BoundVerb(default_session, "PUT", {})
patch = BoundVerb(default_session, "PATCH", {})
delete = BoundVerb(default_session, "DELETE", {})
head = BoundVerb(default_session, "HEAD", {"allow_redirects": False})
options = BoundVerb(default_session, "OPTIONS", {})
