"""A target is one server on one protocol: the URLs every figure asks of it."""

from __future__ import annotations

import ssl
import urllib.request
from dataclasses import dataclass

from . import nginx
from servers import TestServer

PLAIN = "HTTP/1.1"
TLS_H2 = "TLS + HTTP/2"


@dataclass(frozen=True)
class Target:
    server: str  # "test server" or "nginx"
    protocol: str  # PLAIN or TLS_H2 (what the server offers; clients report what they got)
    big_url: str  # the big body (Content-Length)
    small_url: str  # the 64 KiB body (Content-Length)
    sse_url: str  # "" when the server has no Server-Sent Events endpoint
    ca: str  # CA bundle for TLS, "" for plain HTTP

    @property
    def name(self) -> str:
        return f"{self.server}, {self.protocol}"


def of_test_server(server: TestServer, big: int, small: int, sse_query: str) -> list[Target]:
    return [
        Target(
            "test server",
            protocol,
            f"{base}/big/{big}",
            f"{base}/bytes/{small}",
            f"{base}/sse?{sse_query}",
            ca,
        )
        for protocol, base, ca in ((PLAIN, server.http, ""), (TLS_H2, server.https, server.ca))
    ]


def of_nginx(server: nginx.Nginx) -> list[Target]:
    return [
        Target("nginx", protocol, f"{base}/{nginx.BIG}", f"{base}/{nginx.SMALL}", "", ca)
        for protocol, base, ca in ((PLAIN, server.http, ""), (TLS_H2, server.https, server.ca))
    ]


def warm(target: Target) -> None:
    """Fetch the big body once, untimed, so that no client pays for filling nginx's page
    cache (or any other first-request cost of the server)."""
    context = ssl.create_default_context(cafile=target.ca) if target.ca else None
    with urllib.request.urlopen(target.big_url, context=context, timeout=600) as response:
        while response.read(1 << 20):
            pass
