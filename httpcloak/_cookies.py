"""The session's cookie jar as Python sees it: Cookie values and a name -> value view."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ._abi_types import CookieJSON


@dataclass(frozen=True)
class Cookie:
    """One cookie in the jar.

    ``domain`` says where it goes, as browsers and cookie files write it: ``"example.com"``
    is a host-only cookie (sent to example.com only), ``".example.com"`` a domain cookie
    (sent to example.com and its subdomains), ``""`` a cookie set without a domain, sent to
    every host (as in the upstream binding). ``expires`` is in unix seconds (a float), or
    None for a session cookie. ``same_site`` is ``"Lax"``, ``"Strict"``, ``"None"`` or ``""``.
    """

    name: str
    value: str
    domain: str = ""  # "": every host, as in the upstream binding
    path: str = "/"
    expires: float | None = None
    secure: bool = False
    http_only: bool = False
    same_site: str = ""

    @property
    def host_only(self) -> bool:
        """True when the cookie goes to its exact host only (no leading dot in domain)."""
        return self.domain != "" and not self.domain.startswith(".")

    @classmethod
    def from_json(cls, data: CookieJSON) -> Cookie:
        return cls(
            name=data["name"],
            value=data["value"],
            domain=data["domain"],
            path=data["path"],
            expires=data["expires"] or None,
            secure=data["secure"],
            http_only=data["http_only"],
            same_site=data["same_site"],
        )

    def to_json(self) -> CookieJSON:
        """The engine's form (go/abi_json.go cookieJSON): expires 0 for a session cookie."""
        return {
            "name": self.name,
            "value": self.value,
            "domain": self.domain,
            "path": self.path,
            "expires": self.expires or 0,
            "secure": self.secure,
            "http_only": self.http_only,
            "same_site": self.same_site,
        }


class Cookies(Mapping[str, str]):
    """A snapshot of the jar: ``cookies["name"]`` is a value (the first one stored under
    that name, whatever its domain); ``cookies.list()`` has every cookie with its scope."""

    def __init__(self, cookies: list[Cookie]) -> None:
        self._cookies = cookies
        self._by_name: dict[str, str] = {}
        for cookie in cookies:
            self._by_name.setdefault(cookie.name, cookie.value)

    def list(self) -> list[Cookie]:
        return list(self._cookies)

    def __getitem__(self, name: str) -> str:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"Cookies({sorted(self._by_name)})"
