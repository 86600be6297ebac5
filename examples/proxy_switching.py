"""Switch a session's proxy while it runs: HTTP CONNECT, then SOCKS5, then none. Streams
already open keep their connection; new requests take the new route.

Runs against the loopback test server, whose proxies count what they carried."""

from __future__ import annotations

import httpcloak

from _runner import TestServer, run_local


def proxy_counts(server: TestServer) -> dict[str, int]:
    with httpcloak.Session() as probe:
        counts: dict[str, int] = probe.get(f"{server.http}/stats").json()["proxy"]
    return counts


def switching(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        for route in (server.proxy_url("http"), server.proxy_url("socks5"), None):
            s.set_proxy(route)
            s.get(f"{server.https}/get")
            shown = s.get_proxy()
            print("via", shown.split("://")[0] if shown else "direct", "->", proxy_counts(server))


if __name__ == "__main__":
    run_local(switching)
