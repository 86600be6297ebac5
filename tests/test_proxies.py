"""Streams through an HTTP CONNECT proxy and a SOCKS5 proxy with credentials; failures are
ProxyError with the reason, and credentials never show."""

from __future__ import annotations

import socket
from typing import Any

import pytest

import httpcloak
from httpcloak.testing import TestServer


def _proxy_stats(server: TestServer) -> dict[str, int]:
    with httpcloak.Session() as probe:
        stats: dict[str, int] = probe.get(f"{server.http}/stats").json()["proxy"]
    return stats


@pytest.mark.parametrize("kind", ["http", "socks5"])
@pytest.mark.parametrize("target", ["http", "https"])
def test_streams_go_through_the_proxy(server: TestServer, kind: str, target: str) -> None:
    before = _proxy_stats(server)
    base = getattr(server, target)
    with httpcloak.Session(proxy=server.proxy_url(kind), verify=server.ca) as s:
        with s.get(f"{base}/sse?count=3&interval=0.05", stream=True) as r:
            assert [e.id for e in r.iter_events()] == ["0", "1", "2"]
        assert len(s.get(f"{base}/bytes/300000").content) == 300000
    after = _proxy_stats(server)
    # The HTTP proxy is asked for a CONNECT tunnel for http:// targets as well.
    counter = {"socks5": "socks5", "http": "http_connect"}[kind]
    assert after[counter] > before[counter], (before, after)


@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_wrong_credentials_are_a_proxy_error_without_the_secret(
    server: TestServer, kind: str
) -> None:
    url = server.proxy_url(kind, password="hunter2-wrong")
    with httpcloak.Session(proxy=url, verify=server.ca) as s:
        with pytest.raises(httpcloak.ProxyError) as caught:
            s.get(f"{server.https}/get")
        text = f"{caught.value} {caught.value!r} {s!r}"
    assert "hunter2-wrong" not in text
    assert str(caught.value)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("scheme", ["http", "socks5"])
def test_unreachable_proxy_is_a_proxy_error(server: TestServer, scheme: str) -> None:
    url = f"{scheme}://user:topsecret@127.0.0.1:{_closed_port()}"
    with httpcloak.Session(proxy=url) as s, pytest.raises(httpcloak.ProxyError) as caught:
        s.get(f"{server.http}/get", stream=True)
    assert "topsecret" not in str(caught.value)
    assert "refused" in str(caught.value)


def test_truncation_still_raises_through_a_proxy(server: TestServer) -> None:
    with httpcloak.Session(proxy=server.proxy_url("socks5")) as s:
        with pytest.raises(httpcloak.IncompleteRead):
            s.get(f"{server.http}/truncated?length=1000&send=10")


def test_proxy_secret_absent_from_every_repr(server: TestServer) -> None:
    s: Any = httpcloak.Session(proxy=server.proxy_url("http"))
    try:
        assert "proxy-secret" not in repr(s) and "proxy-secret" not in str(vars(s))
    finally:
        s.close()
