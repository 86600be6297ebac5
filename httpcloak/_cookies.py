"""The session's cookie jar as Python sees it: read-only, refreshed from the engine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str
    domain: str
    path: str
    expires: float | None  # unix seconds; None for a session cookie
    secure: bool
    http_only: bool
    same_site: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Cookie:
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
