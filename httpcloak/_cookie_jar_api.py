"""Cookie jar methods of Session and AsyncSession (a mixin of BaseSession). They run in
the engine's jar (go/internal/jar) through session calls, so they never block on the network."""

from __future__ import annotations

import math
import time
from datetime import timezone
from email.utils import parsedate_to_datetime

from . import _abi
from ._cookies import Cookie
from ._exceptions import InvalidArgument


class CookieJarMixin:
    """get_cookies, get_cookie, set_cookie, delete_cookie, clear_cookies."""

    def _live_handle(self) -> int:  # provided by BaseSession
        raise NotImplementedError

    def get_cookies(self, url: str | None = None) -> list[Cookie]:
        """Every cookie in the jar (oldest first), or only those a request to ``url``
        would carry, in the order it would carry them (RFC 6265: domain, path, Secure only
        over https, not expired)."""
        wanted = None if url is None else _text("url", url)
        return [Cookie.from_json(c) for c in _abi.cookies_list(self._live_handle(), wanted)]

    def get_cookie(self, name: str, domain: str | None = None) -> Cookie | None:
        """The first cookie called ``name`` (of ``domain``, with or without its leading
        dot, when given), or None."""
        want = None if domain is None else _text("domain", domain).lstrip(".").lower()
        for cookie in self.get_cookies():
            if cookie.name == name and (want is None or cookie.domain.lstrip(".") == want):
                return cookie
        return None

    def set_cookie(
        self,
        name: str,
        value: str,
        domain: str = "",
        path: str = "/",
        secure: bool = False,
        http_only: bool = False,
        same_site: str | None = "",
        max_age: int = 0,
        expires: float | str | None = None,
    ) -> None:
        """Put a cookie in the jar, replacing the one with the same name, domain (host-only
        or not) and path. The arguments, by position too, are the upstream binding's.

        ``domain=""`` (the default) makes a cookie sent to every host, as upstream;
        ``domain="example.com"`` a host-only cookie; ``domain=".example.com"`` a domain
        cookie, also sent to subdomains (refused for a public suffix such as ``".co.uk"``,
        as browsers refuse it). ``max_age`` is seconds from now (0: not set; negative:
        delete), and wins over ``expires``: an RFC 1123 date as upstream takes it
        (``"Mon, 02 Jan 2006 15:04:05 GMT"``) or unix seconds; None: a session cookie. A
        time in the past deletes the cookie. Secure cookies go out over https only. A
        control character or anything else a request could not carry raises
        InvalidArgument before anything is stored.
        """
        when = _expiry(max_age, expires)
        cookie = Cookie(
            name=_text("name", name),
            value=_text("value", value),
            domain=_text("domain", domain),
            path=_text("path", path),
            expires=when,
            secure=bool(secure),
            http_only=bool(http_only),
            same_site="" if same_site is None else _text("same_site", same_site),
        )
        _abi.cookies_set(self._live_handle(), cookie.to_json())

    def delete_cookie(self, name: str, domain: str = "", path: str | None = None) -> int:
        """Remove the cookies called ``name``: everywhere when ``domain`` is "" (as
        upstream), else only those of ``domain`` (with or without its leading dot) and of
        ``path`` when given; returns how many were removed."""
        return _abi.cookies_delete(
            self._live_handle(),
            _text("name", name),
            None if domain in ("", None) else _text("domain", domain),
            None if path is None else _text("path", path),
        )

    def get_cookies_detailed(self) -> list[Cookie]:
        """The upstream binding's name for get_cookies()."""
        return self.get_cookies()

    def get_cookie_detailed(self, name: str) -> Cookie | None:
        """The upstream binding's name for get_cookie(name)."""
        return self.get_cookie(name)

    def clear_cookies(self) -> None:
        """Empty the jar."""
        _abi.cookies_clear(self._live_handle())


def _expiry(max_age: int, expires: float | str | None) -> float | None:
    """The unix time a cookie set with these ends at, or None for a session cookie."""
    if isinstance(max_age, bool) or not isinstance(max_age, int):
        raise TypeError(f"max_age must be an int of seconds, not {type(max_age).__name__}")
    if max_age > 0:
        return time.time() + max_age
    if max_age < 0:
        return 1.0  # long past: the jar deletes the cookie
    if expires is None or expires == "":
        return None
    if isinstance(expires, str):
        try:
            date = parsedate_to_datetime(expires)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"expires must be an RFC 1123 date, got {expires!r}") from exc
        if date.tzinfo is None:  # "-0000": UTC, without saying so
            date = date.replace(tzinfo=timezone.utc)
        return date.timestamp()
    if isinstance(expires, bool) or not isinstance(expires, (int, float)):
        raise TypeError(f"expires must be a date string, unix seconds or None, not {expires!r}")
    if not math.isfinite(expires):
        raise InvalidArgument(f"expires must be finite unix seconds, got {expires!r}")
    return float(expires)


def _text(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value
