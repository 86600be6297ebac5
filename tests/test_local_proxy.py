"""LocalProxy: a plain urllib client through it carries the preset's fingerprint."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak

from servers import TestServer

UPGRADE = {"X-HTTPCloak-Scheme": "https"}
AS_ALICE = {"X-HTTPCloak-Session": "alice"}


@pytest.fixture
def proxy(server: TestServer) -> Iterator[httpcloak.LocalProxy]:
    # The test server is on loopback, which a LocalProxy refuses unless allowed.
    with httpcloak.LocalProxy(
        verify=server.ca, timeout=(5, 5), allow_private_networks=True
    ) as running:
        yield running


def _opener(proxy: httpcloak.LocalProxy, ca: str | None = None) -> urllib.request.OpenerDirector:
    handlers: list[Any] = [
        urllib.request.ProxyHandler({"http": proxy.proxy_url, "https": proxy.proxy_url})
    ]
    if ca is not None:
        handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca)))
    return urllib.request.build_opener(*handlers)


def _get_json(opener: urllib.request.OpenerDirector, url: str, **headers: str) -> Any:
    with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return json.load(r)


def _port(url: str) -> str:
    return url.rsplit(":", 1)[1]


def test_urllib_through_the_proxy_carries_the_preset_fingerprint(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    url = f"http://localhost:{_port(server.https)}/fingerprint"
    via_proxy = _get_json(_opener(proxy), url, **UPGRADE)
    with httpcloak.Session(verify=server.ca) as direct_session:
        direct = direct_session.get(f"https://localhost:{_port(server.https)}/fingerprint").json()
    assert via_proxy["ja4"] == direct["ja4"]
    assert via_proxy["akamai"] == direct["akamai"]
    assert via_proxy["proto"] == "HTTP/2.0"
    assert via_proxy["headers"]["User-Agent"] == direct["headers"]["User-Agent"], (
        "urllib's own User-Agent must not undo the preset"
    )


def test_a_connect_tunnel_carries_the_clients_own_tls(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    url = f"https://localhost:{_port(server.https)}/fingerprint"
    tunneled = _get_json(_opener(proxy, ca=server.ca), url)
    with httpcloak.Session(verify=server.ca) as s:
        preset = s.get(url).json()
    assert tunneled["ja4"] != preset["ja4"]
    assert proxy.get_stats()["tunnels"] == 1


def test_plain_http_bodies_go_both_ways_and_the_client_headers_survive(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    payload = bytes(range(256)) * 1000
    request = urllib.request.Request(
        f"{server.http}/anything", data=payload, headers={"X-Custom": "kept"}, method="POST"
    )
    with _opener(proxy).open(request, timeout=10) as r:
        echoed = json.load(r)
    assert echoed["method"] == "POST"
    assert echoed["body_len"] == len(payload)
    assert echoed["headers"]["X-Custom"] == ["kept"]
    assert "X-Httpcloak-Scheme" not in echoed["headers"]


def test_compressed_bodies_reach_the_client_decoded(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    with _opener(proxy).open(f"{server.http}/compressed?encoding=br&size=5000", timeout=10) as r:
        assert r.headers.get("Content-Encoding") is None
        assert len(r.read()) == 5000


def test_server_sent_events_arrive_before_the_stream_ends(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    url = f"{server.http}/sse?count=3&interval=0.5"
    started = time.monotonic()
    with _opener(proxy).open(url, timeout=10) as r:
        first = r.readline()
        first_after = time.monotonic() - started
        rest = r.read()
    assert first.startswith(b"id: 0")
    assert first_after < 0.8, f"the first event waited {first_after:.2f}s for the whole stream"
    assert b"id: 2" in rest


def test_a_truncated_origin_body_is_truncated_for_the_client(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    with (
        _opener(proxy).open(f"{server.http}/truncated?length=10000&send=4000", timeout=10) as r,
        pytest.raises(http.client.IncompleteRead),
    ):
        r.read()


def test_registered_sessions_route_requests_with_their_own_jars(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    with httpcloak.Session() as alice, httpcloak.Session() as bob:
        proxy.register_session("alice", alice)
        proxy.register_session("bob", bob)
        assert proxy.list_sessions() == ["alice", "bob"]
        assert proxy.has_session("bob") and not proxy.has_session("carol")
        opener = _opener(proxy)
        _get_json(opener, f"{server.http}/cookies/set?who=alice", **AS_ALICE)
        assert alice.cookies["who"] == "alice"
        assert "who" not in bob.cookies
        seen = _get_json(opener, f"{server.http}/cookies", **{"X-HTTPCloak-Session": "bob"})
        assert seen["cookies"] == {}
        assert proxy.unregister_session("alice") is True
        assert proxy.unregister_session("alice") is False
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get_json(opener, f"{server.http}/get", **AS_ALICE)
        with refused.value as answer:
            assert answer.code == 400, "an unknown route is the caller's mistake"
            assert answer.headers["X-HTTPCloak-Error"] == "invalid_argument"
            assert "no session registered" in answer.read().decode()


def test_origin_failures_answer_with_their_kind(proxy: httpcloak.LocalProxy) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(urllib.error.HTTPError) as refused:
        _opener(proxy).open(f"http://127.0.0.1:{port}/", timeout=10)
    with refused.value as answer:
        assert answer.code == 502
        assert answer.headers["X-HTTPCloak-Error"] == "connect"


def test_close_stops_listening_and_is_idempotent(server: TestServer) -> None:
    proxy = httpcloak.LocalProxy(verify=server.ca)
    assert proxy.is_running
    port = proxy.port
    proxy.close()
    proxy.close()
    assert not proxy.is_running
    with pytest.raises(httpcloak.StreamClosed):
        proxy.get_stats()
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"udp_proxy": "socks5://127.0.0.1:1"}, httpcloak.InvalidArgument),
        ({"port": 70000}, httpcloak.InvalidArgument),
        ({"max_connections": -1}, httpcloak.InvalidArgument),
        ({"port": "80"}, TypeError),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        httpcloak.LocalProxy(**kwargs)


def test_a_closed_session_cannot_be_registered(proxy: httpcloak.LocalProxy) -> None:
    session = httpcloak.Session()
    session.close()
    with pytest.raises(httpcloak.StreamClosed):
        proxy.register_session("gone", session)


def test_a_request_body_the_client_cuts_short_never_reaches_the_origin_as_whole(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    with httpcloak.Session() as session:
        proxy.register_session("uploader", session)
        target = f"{server.http}/cookies/set?completed=yes"
        with socket.create_connection(("127.0.0.1", proxy.port)) as raw:
            raw.sendall(
                f"POST {target} HTTP/1.1\r\nHost: x\r\nX-HTTPCloak-Session: uploader\r\n"
                "Transfer-Encoding: chunked\r\n\r\n3e8\r\n".encode()
                + b"x" * 500  # half of the chunk, then the client goes away
            )
            time.sleep(0.2)
        time.sleep(0.5)
        assert "completed" not in session.cookies, "the origin took a cut body as complete"


def test_close_also_ends_open_connect_tunnels(server: TestServer) -> None:
    proxy = httpcloak.LocalProxy(verify=server.ca, allow_private_networks=True)
    target = server.https.split("://", 1)[1]
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw:
        raw.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        assert raw.recv(1024).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        proxy.close()
        assert raw.recv(1024) == b"", "the tunnel outlived its proxy"
        assert time.monotonic() - started < 1


def test_a_connect_reply_carries_no_body_framing(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    # RFC 9110 section 9.3.6: no Transfer-Encoding or Content-Length on a 2xx to CONNECT.
    target = server.https.split("://", 1)[1]
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw:
        raw.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        reply = raw.recv(1024)
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"\r\n\r\n")
    assert b"transfer-encoding" not in reply.lower() and b"content-length" not in reply.lower()


def test_headers_named_in_connection_stay_with_the_proxy(
    proxy: httpcloak.LocalProxy, server: TestServer
) -> None:
    # http.client, not urllib: urllib writes its own Connection header.
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    hop = {"Connection": "X-Hop-Secret", "X-Hop-Secret": "for the proxy", "X-Kept": "yes"}
    conn.request("GET", f"{server.http}/headers", headers=hop)
    echoed = json.load(conn.getresponse())
    conn.close()
    assert "X-Hop-Secret" not in echoed["headers"] and echoed["headers"]["X-Kept"] == ["yes"]


def test_tunnels_and_requests_go_through_an_https_upstream_proxy(server: TestServer) -> None:
    with httpcloak.Session() as probe:
        seen_before = len(probe.get(f"{server.http}/proxy/connects").json()["connects"])
    with httpcloak.LocalProxy(
        tcp_proxy=server.proxy_url("https"), verify=server.ca, allow_private_networks=True
    ) as proxy:
        url = f"https://localhost:{_port(server.https)}/get"
        assert _get_json(_opener(proxy, ca=server.ca), url)["method"] == "GET"  # CONNECT
        assert _get_json(_opener(proxy), f"{server.http}/get")["method"] == "GET"  # forwarded
    with httpcloak.Session() as probe:
        new = probe.get(f"{server.http}/proxy/connects").json()["connects"][seen_before:]
    assert len(new) == 2 and all(r["proxy"] == "https" and r["tls"] for r in new), new
