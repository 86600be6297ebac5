"""The cookie jar by hand: set, list per URL, delete, clear; and a session without a jar."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpcloak

from _runner import run


def cookies(base: str, verify: bool | str) -> None:
    host = urlsplit(base).hostname or ""
    with httpcloak.Session(verify=verify) as s:
        s.set_cookie("theme", "dark", domain=host)
        s.set_cookie("token", "abc", domain=host, path="/cookies", secure=True, http_only=True)
        s.get(f"{base}/cookies/set?from_server=1")
        print("all:", sorted(c.name for c in s.get_cookies()))
        print("for /get:", sorted(c.name for c in s.get_cookies(f"{base}/get")))
        print("server saw:", s.get(f"{base}/cookies").json()["cookies"])
        s.delete_cookie("theme")
        print("after delete:", sorted(s.cookies))
        s.clear_cookies()
        print("after clear:", dict(s.cookies))
    with httpcloak.Session(verify=verify, without_cookie_jar=True) as s:
        s.get(f"{base}/cookies/set?ignored=1")
        print("without a jar:", dict(s.cookies))


if __name__ == "__main__":
    run(cookies)
