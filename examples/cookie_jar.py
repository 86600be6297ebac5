"""Cookies from streamed responses (and redirects on the way) land in the session jar."""

from __future__ import annotations

import httpcloak

from _runner import run


def cookies(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s:
        with s.get(f"{base}/cookies/stream?session=abc&lines=3", stream=True) as r:
            for _ in r.iter_lines():
                pass
        with s.get(f"{base}/redirect-with-cookie?to=/cookies&hop=1", stream=True) as r:
            print("history:", [h.status_code for h in r.history])
        print("jar:", dict(s.cookies))
        print("sent back:", s.get(f"{base}/cookies").json()["cookies"])


if __name__ == "__main__":
    run(cookies)
