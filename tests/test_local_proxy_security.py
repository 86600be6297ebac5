"""Who may use a LocalProxy, and where it may go: any local process can reach 127.0.0.1,
and whoever does speaks with the session's identity and cookie jar. Opt-in credentials
(Proxy-Authorization, as clients send them from a proxy URL with user:password), targets
in loopback/private/reserved networks refused unless allowed, an allow-list of host:port
patterns, and CONNECT tunnels that nothing crosses are closed after an idle timeout."""

from __future__ import annotations

import base64
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

import httpcloak

from servers import TestServer


def _opener(proxy_url: str) -> urllib.request.OpenerDirector:
    handler = urllib.request.ProxyHandler({"http": proxy_url, "https": proxy_url})
    return urllib.request.build_opener(handler)


def _status(proxy_url: str, url: str, **headers: str) -> tuple[int, Any]:
    try:
        with _opener(proxy_url).open(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code, answer.headers


def _connect(proxy: httpcloak.LocalProxy, target: str, *extra: str) -> bytes:
    """The proxy's answer to a raw CONNECT, head only."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as raw:
        head = [f"CONNECT {target} HTTP/1.1", f"Host: {target}", *extra]
        raw.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        return raw.recv(4096)


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


# Private networks: refused unless allowed.


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "10.1.2.3", "192.168.0.1", "169.254.169.254", "0.0.0.0"],
)
def test_by_default_private_targets_are_refused(server: TestServer, host: str) -> None:
    port = _port(server.http)
    with httpcloak.LocalProxy() as proxy:
        status, headers = _status(proxy.proxy_url, f"http://{host}:{port}/get")
        assert status == 403, "a private target was forwarded"
        assert headers["X-HTTPCloak-Error"] == "invalid_argument"
        assert _connect(proxy, f"{host}:{port}").startswith(b"HTTP/1.1 403")
        assert proxy.get_stats()["tunnels"] == 1


def test_allow_private_networks_reaches_loopback(server: TestServer) -> None:
    with httpcloak.LocalProxy(allow_private_networks=True) as proxy:
        assert _status(proxy.proxy_url, f"{server.http}/get")[0] == 200
        assert _connect(proxy, server.http.split("://")[1]).startswith(b"HTTP/1.1 200")


def test_a_name_is_checked_again_at_connect_time(server: TestServer) -> None:
    # The name resolves to nothing when the request is checked; the session dials
    # 127.0.0.1 for it (connect_to), and that connection is refused.
    port = _port(server.http)
    mapped = {f"never-resolves.test:{port}": f"127.0.0.1:{port}"}
    with httpcloak.LocalProxy() as proxy, httpcloak.Session(connect_to=mapped) as session:
        proxy.register_session("mapped", session)
        url = f"http://never-resolves.test:{port}/get"
        status, headers = _status(proxy.proxy_url, url, **{"X-HTTPCloak-Session": "mapped"})
        assert status == 403 and headers["X-HTTPCloak-Error"] == "invalid_argument"
        assert session.get(url).status_code == 200, "the session itself is not restricted"


# The allow-list.


def test_allowed_targets_narrow_what_clients_reach(server: TestServer) -> None:
    http_port, https_port = _port(server.http), _port(server.https)
    with httpcloak.LocalProxy(
        allow_private_networks=True, allowed_targets=[f"127.0.0.1:{http_port}", "*.example:*"]
    ) as proxy:
        assert _status(proxy.proxy_url, f"http://127.0.0.1:{http_port}/get")[0] == 200
        assert _status(proxy.proxy_url, f"http://localhost:{http_port}/get")[0] == 403
        assert _connect(proxy, f"127.0.0.1:{https_port}").startswith(b"HTTP/1.1 403")
        assert _connect(proxy, f"127.0.0.1:{http_port}").startswith(b"HTTP/1.1 200")


def test_a_pattern_that_names_a_private_address_still_needs_allow_private(
    server: TestServer,
) -> None:
    port = _port(server.http)
    with httpcloak.LocalProxy(allowed_targets=[f"127.0.0.1:{port}"]) as proxy:
        assert _status(proxy.proxy_url, f"{server.http}/get")[0] == 403


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"allowed_targets": ["example.com"]}, httpcloak.InvalidArgument),
        ({"allowed_targets": ["ex*ample.com:80"]}, httpcloak.InvalidArgument),
        ({"allowed_targets": ["example.com:0"]}, httpcloak.InvalidArgument),
        ({"allowed_targets": "example.com:80"}, TypeError),
        ({"auth": ("user",)}, TypeError),
        ({"auth": ("", "password")}, httpcloak.InvalidArgument),
        ({"auth": ("us:er", "password")}, httpcloak.InvalidArgument),
        ({"tunnel_idle_timeout": 0}, httpcloak.InvalidArgument),
        ({"tunnel_idle_timeout": "5"}, TypeError),
    ],
)
def test_bad_guard_options_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        httpcloak.LocalProxy(**kwargs)


# Credentials.

AUTH = ("alice", "s3cret:with/odd@chars")


def test_with_auth_the_proxy_url_carries_the_credentials_and_clients_get_in(
    server: TestServer,
) -> None:
    with httpcloak.LocalProxy(auth=AUTH, allow_private_networks=True, verify=server.ca) as proxy:
        assert proxy.proxy_url.startswith("http://alice:s3cret%3Awith%2Fodd%40chars@127.0.0.1:")
        assert "s3cret" not in repr(proxy)
        with _opener(proxy.proxy_url).open(f"{server.http}/headers", timeout=10) as r:
            echoed = json.load(r)["headers"]
        assert "Proxy-Authorization" not in echoed, "the credentials reached the origin"
        token = base64.b64encode(":".join(AUTH).encode()).decode()
        tunnel = _connect(
            proxy, server.https.split("://")[1], f"Proxy-Authorization: Basic {token}"
        )
        assert tunnel.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("password", [None, "wrong"])
def test_without_the_right_credentials_the_answer_is_407(
    server: TestServer, password: str | None
) -> None:
    with httpcloak.LocalProxy(auth=AUTH, allow_private_networks=True) as proxy:
        url = proxy.proxy_url
        extra: list[str] = []
        if password is None:
            url = url.replace(url[7 : url.index("@") + 1], "")
        else:
            url = url.replace(url[7 : url.index("@") + 1], f"alice:{password}@")
            token = base64.b64encode(f"alice:{password}".encode()).decode()
            extra = [f"Proxy-Authorization: Basic {token}"]
        status, headers = _status(url, f"{server.http}/get")
        assert status == 407
        assert headers["Proxy-Authenticate"].startswith("Basic realm=")
        answer = _connect(proxy, server.https.split("://")[1], *extra)
        assert answer.startswith(b"HTTP/1.1 407") and b"Proxy-Authenticate: Basic" in answer


# Idle CONNECT tunnels.


def test_an_idle_tunnel_is_closed_and_gives_its_slot_back(server: TestServer) -> None:
    with httpcloak.LocalProxy(
        allow_private_networks=True, tunnel_idle_timeout=0.3, max_connections=1
    ) as proxy:
        target = server.http.split("://")[1]
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as raw:
            raw.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            assert raw.recv(1024).startswith(b"HTTP/1.1 200")
            started = time.monotonic()
            assert raw.recv(1024) == b"", "the idle tunnel was not closed"
            assert time.monotonic() - started < 20
        # The only slot is free again.
        assert _status(proxy.proxy_url, f"{server.http}/get")[0] == 200


def test_a_tunnel_busy_one_way_stays_open(server: TestServer) -> None:
    # The client says nothing after its request while the origin drips for twice the
    # idle timeout: traffic in either direction keeps the tunnel alive.
    with httpcloak.LocalProxy(allow_private_networks=True, tunnel_idle_timeout=1.5) as proxy:
        target = server.http.split("://")[1]
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as raw:
            raw.sendall(
                f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n"
                f"GET /drip?count=30&interval=0.1&size=1 HTTP/1.1\r\nHost: {target}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            received = b""
            while chunk := raw.recv(65536):
                received += chunk
    response = received.split(b"\r\n\r\n", 1)[1]
    assert response.startswith(b"HTTP/1.1 200") and received.endswith(b"0\r\n\r\n")
    assert received.count(b"*") == 30
