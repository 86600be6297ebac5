"""warmup() and fork(n) (upstream's 15_warmup_and_fork.py): load a page as a browser does
(the HTML, then its subresources with the headers of each kind), then work in parallel
tabs that share the cookie jar and TLS session cache, each with its own connections.

Upstream's example assigns ``tab.cookies = {...}``, which its own binding refuses (a
read-only property); set_cookie() is the call.
"""

from __future__ import annotations

import threading

import httpcloak

from _runner import run


def warmup_and_fork(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify, timeout=30) as s:
        page = s.warmup(f"{base}/warmup/page")
        assert page.warmup is not None
        print("warmup:", page.status_code, "subresources fetched:", page.warmup.fetched)
        tabs = s.fork(3)
        results: list[str] = [""] * len(tabs)

        def fetch(tab: httpcloak.Session, index: int) -> None:
            results[index] = tab.get(f"{base}/get").protocol

        threads = [threading.Thread(target=fetch, args=(t, i)) for i, t in enumerate(tabs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("tabs:", results)
        tabs[0].set_cookie("shared_cookie", "from_tab_0")
        print("cookie set in tab 0, visible in parent:", s.get_cookie("shared_cookie") is not None)
        for tab in tabs:
            tab.close()


if __name__ == "__main__":
    run(warmup_and_fork)
