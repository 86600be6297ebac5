"""LocalProxy: a plain urllib client sends its requests with Chrome's TLS fingerprint.

Runs against the loopback test server, which echoes the fingerprint it saw."""

from __future__ import annotations

import json
import urllib.request

import httpcloak

from _runner import TestServer, run_local


def local_proxy(server: TestServer) -> None:
    port = server.https.rsplit(":", 1)[1]
    # The test server is on loopback: a LocalProxy refuses such targets unless allowed.
    with httpcloak.LocalProxy(
        preset="chrome-latest", verify=server.ca, allow_private_networks=True
    ) as proxy:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.proxy_url}))
        # Ask for the http:// URL with X-HTTPCloak-Scheme: https; the proxy does the TLS.
        request = urllib.request.Request(
            f"http://localhost:{port}/fingerprint", headers={"X-HTTPCloak-Scheme": "https"}
        )
        with opener.open(request, timeout=10) as r:
            seen = json.load(r)
        print("urllib via LocalProxy: ja4", seen["ja4"], seen["proto"])
        print("requests carried:", proxy.get_stats()["total_requests"])


if __name__ == "__main__":
    run_local(local_proxy)
