"""on_redirect: a caller's say over each redirect hop before it is followed.

The engine follows redirects itself (cookies, method rewrite, Referer and credential rules);
with on_redirect it stops before each hop and waits: the callback follows it (returns None
or True), stops the chain on it (returns False: the 3xx becomes the response) or fails the
request (raises: that very exception reaches the caller, and the stream is closed).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ._abi_types import PendingRedirect
from ._headers import Headers

__all__ = ["OnRedirect", "Redirect", "async_decider", "check_on_redirect", "sync_decider"]


@dataclass(frozen=True)
class Redirect:
    """One redirect about to be followed, as upstream's ``Redirect``: ``hop`` counts from 1,
    ``status_code`` and ``headers`` are the 3xx's (Set-Cookie of a hop is read here),
    ``url`` answered it, ``target`` is its Location resolved, ``method`` the next request's
    (after a 301/302/303 rewrite), ``cross_origin`` a change of scheme, host or port,
    ``downgrade`` https to http (always cross-origin too)."""

    hop: int
    status_code: int
    headers: Headers
    url: str
    target: str
    method: str
    cross_origin: bool
    downgrade: bool

    @classmethod
    def from_json(cls, raw: PendingRedirect) -> Redirect:
        return cls(
            hop=raw["hop"],
            status_code=raw["status"],
            headers=Headers([(n, v) for n, v in raw["headers"]]),
            url=raw["from"],
            target=raw["to"],
            method=raw["method"],
            cross_origin=raw["cross_origin"],
            downgrade=raw["downgrade"],
        )


# What the callback returns: None or True follows, False stops; AsyncSession may await it.
OnRedirect = Callable[[Redirect], bool | None | Awaitable[bool | None]]


def check_on_redirect(callback: object) -> None:
    if callback is not None and not callable(callback):
        raise TypeError(f"on_redirect must be callable or None, not {type(callback).__name__}")


def _follows(result: object) -> bool:
    if result is None or result is True:
        return True
    if result is False:
        return False
    raise TypeError(
        f"on_redirect must return None or True (follow) or False (stop), not {result!r}"
    )


def sync_decider(callback: OnRedirect) -> Callable[[PendingRedirect], bool]:
    """The decision a blocking request makes at each hop; an awaitable result is refused
    (an async callback needs AsyncSession or the *_async methods)."""

    def decide(raw: PendingRedirect) -> bool:
        result = callback(Redirect.from_json(raw))
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()  # never awaited: no "was never awaited" warning
            raise TypeError(
                "on_redirect returned an awaitable on a blocking request: "
                "use a plain function, or AsyncSession / the *_async methods"
            )
        return _follows(result)

    return decide


def async_decider(callback: OnRedirect) -> Callable[[PendingRedirect], Awaitable[bool]]:
    """The decision an awaited request makes at each hop, on the event loop: the callback
    may be a plain function or a coroutine function (no thread either way)."""

    async def decide(raw: PendingRedirect) -> bool:
        result = callback(Redirect.from_json(raw))
        if inspect.isawaitable(result):
            result = await result
        return _follows(result)

    return decide
