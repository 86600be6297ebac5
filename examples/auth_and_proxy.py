"""Basic auth, and requests through an HTTP CONNECT and a SOCKS5 proxy with credentials.

Runs against the loopback test server, whose proxies accept proxyuser / proxy-secret."""

from __future__ import annotations

import httpcloak

from _runner import TestServer, run_local


def auth_and_proxy(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        r = s.get(f"{server.https}/headers", auth=("alice", "wonderland"))
        print("authorization sent:", r.json()["headers"]["Authorization"][0].split()[0])

    for kind in ("http", "socks5"):
        with httpcloak.Session(verify=server.ca, proxy=server.proxy_url(kind)) as s:
            r = s.get(f"{server.https}/whoami")
            print(f"through the {kind} proxy:", r.status_code, r.protocol)

    wrong = server.proxy_url("http", password="not-the-password")
    with httpcloak.Session(verify=server.ca, proxy=wrong) as s:
        try:
            s.get(f"{server.https}/get")
        except httpcloak.ProxyError as e:
            print("refused, and the password stays hidden:", "not-the-password" not in str(e))


if __name__ == "__main__":
    run_local(auth_and_proxy)
