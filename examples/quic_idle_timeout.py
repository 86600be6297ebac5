"""HTTP/3 with a longer QUIC idle timeout (upstream's 12_quic_idle_timeout.py): seconds,
as upstream; a connection idle for less than that is reused, keep-alives included."""

from __future__ import annotations

import time

import httpcloak

from _runner import run


def quic_idle_timeout(base: str, verify: bool | str) -> None:
    url = base.replace("127.0.0.1", "localhost") + "/get"
    with httpcloak.Session(http_version="h3", verify=verify) as s:  # the default idle timeout
        print("default:", s.get(url).protocol)
    with httpcloak.Session(
        http_version="h3", quic_idle_timeout=120, timeout=60, retry=3, verify=verify
    ) as s:
        first = s.get(url)
        time.sleep(1)  # idle, well within 120 s
        again = s.get(url)
        print("protocol:", first.protocol, again.protocol)


if __name__ == "__main__":
    run(quic_idle_timeout)
