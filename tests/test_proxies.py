"""Streams through an HTTP CONNECT proxy and a SOCKS5 proxy with credentials; failures are
ProxyError with the reason, and credentials never show."""

from __future__ import annotations

import base64
import socket
import time
from typing import Any

import pytest

import httpcloak

from servers import TestServer


def _proxy_stats(server: TestServer) -> dict[str, int]:
    with httpcloak.Session() as probe:
        stats: dict[str, int] = probe.get(f"{server.http}/stats").json()["proxy"]
    return stats


def _proxy_stats_once(
    server: TestServer, counter: str, expected: int, within: float = 10.0
) -> dict[str, int]:
    """The proxy's counters once `counter` reached `expected`: the server counts a failed
    handshake when its side of the connection sees the failure, which may come a moment
    after the client has already raised."""
    deadline = time.monotonic() + within
    while True:
        stats = _proxy_stats(server)
        if stats[counter] >= expected or time.monotonic() > deadline:
            return stats
        time.sleep(0.02)


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


# An https:// proxy: TLS first (checked with the session's trust settings), then CONNECT.


def _connects(server: TestServer) -> list[dict[str, Any]]:
    with httpcloak.Session() as probe:
        records: list[dict[str, Any]] = probe.get(f"{server.http}/proxy/connects").json()[
            "connects"
        ]
    return records


def test_an_https_proxy_is_spoken_to_over_tls(server: TestServer) -> None:
    before, seen_before = _proxy_stats(server), len(_connects(server))
    with httpcloak.Session(proxy=server.proxy_url("https"), verify=server.ca) as s:
        assert s.get(f"{server.https}/get").json()["method"] == "GET"
        assert s.get(f"{server.http}/get").json()["method"] == "GET"
    after = _proxy_stats(server)
    assert after["https_plaintext"] == before["https_plaintext"], "the proxy was spoken to in clear"
    assert after["https_handshakes"] >= before["https_handshakes"] + 1
    new = _connects(server)[seen_before:]
    assert new and all(r["proxy"] == "https" and r["tls"] for r in new), new
    assert all(("Proxy-Authorization", _basic()) in map(tuple, r["headers"]) for r in new)


def test_an_https_proxy_with_an_untrusted_certificate_is_a_tls_error(server: TestServer) -> None:
    before, seen_before = _proxy_stats(server), len(_connects(server))
    with httpcloak.Session(proxy=server.proxy_url("https")) as s:  # system roots only
        with pytest.raises(httpcloak.TLSError) as caught:
            s.get(f"{server.https}/get")
    assert "proxy" in str(caught.value) and "proxy-secret" not in str(caught.value)
    expected = before["https_bad_handshakes"] + 1
    after = _proxy_stats_once(server, "https_bad_handshakes", expected)
    assert after["https_bad_handshakes"] == expected
    assert after["https_plaintext"] == before["https_plaintext"]
    assert _connects(server)[seen_before:] == [], "credentials crossed to an untrusted proxy"


def test_verify_false_also_trusts_any_proxy_certificate(server: TestServer) -> None:
    with httpcloak.Session(proxy=server.proxy_url("https"), verify=False) as s:
        assert s.get(f"{server.https}/get").status_code == 200


def _basic() -> str:
    token = f"{TestServer.PROXY_USER}:{TestServer.PROXY_PASSWORD}".encode()
    return "Basic " + base64.b64encode(token).decode()


# What each browser sends on CONNECT (Chrome: net/http/proxy_client_socket.cc
# BuildTunnelRequest; Firefox: nsHttpConnection::MakeConnectString), credentials last.
def _expected_connect(preset: str, target: str, user_agent: str) -> list[tuple[str, str]]:
    if preset.startswith("firefox"):
        return [
            ("User-Agent", user_agent),
            ("Proxy-Connection", "keep-alive"),
            ("Connection", "keep-alive"),
            ("Host", target),
            ("Proxy-Authorization", _basic()),
        ]
    return [
        ("Host", target),
        ("Proxy-Connection", "keep-alive"),
        ("User-Agent", user_agent),
        ("Proxy-Authorization", _basic()),
    ]


@pytest.mark.parametrize("kind", ["http", "https"])
@pytest.mark.parametrize("preset", ["chrome-latest", "chrome-124", "firefox-latest"])
def test_the_connect_request_is_the_browsers(server: TestServer, preset: str, kind: str) -> None:
    target = server.https.split("://", 1)[1]
    seen_before = len(_connects(server))
    with httpcloak.Session(preset=preset, proxy=server.proxy_url(kind), verify=server.ca) as s:
        user_agent = s.get(f"{server.https}/headers").json()["headers"]["User-Agent"][0]
    (record,) = _connects(server)[seen_before:]
    assert record["line"] == f"CONNECT {target} HTTP/1.1"
    assert [tuple(h) for h in record["headers"]] == _expected_connect(preset, target, user_agent)
    assert "Go-http-client" not in user_agent
