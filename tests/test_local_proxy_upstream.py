"""LocalProxy per-request upstream proxies, as upstream's: `Proxy-Authorization: HTTPCloak
<url>` or `X-Upstream-Proxy: <url>` sends a forwarded request or a CONNECT tunnel out
through that proxy (the session's fingerprint and jar still apply to forwarded ones); the
target guard applies to the upstream proxy's address too; its credentials never show in an
answer; a bad URL is refused before anything is sent; udp_proxy stays refused."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
from typing import Any

import pytest

import httpcloak

from servers import TestServer

SECRET = TestServer.PROXY_PASSWORD


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _connects(server: TestServer) -> list[dict[str, Any]]:
    with httpcloak.Session() as probe:
        records: list[dict[str, Any]] = probe.get(f"{server.http}/proxy/connects").json()[
            "connects"
        ]
    return records


def _forward(
    proxy: httpcloak.LocalProxy, url: str, headers: dict[str, str]
) -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=15)
    try:
        conn.request("GET", url, headers=headers)
        r = conn.getresponse()
        return r.status, r.read().decode(), dict(r.getheaders())
    finally:
        conn.close()


def test_forwarded_requests_go_through_the_named_proxy(server: TestServer) -> None:
    target = f"http://127.0.0.1:{_port(server.https)}/get"
    before = len(_connects(server))
    with httpcloak.LocalProxy(verify=server.ca, allow_private_networks=True) as proxy:
        for header in (
            {"X-Upstream-Proxy": server.proxy_url("http")},
            {"Proxy-Authorization": f"HTTPCloak {server.proxy_url('http')}"},
        ):
            status, body, _ = _forward(proxy, target, {"X-HTTPCloak-Scheme": "https", **header})
            assert status == 200, body
            echoed = json.loads(body)["headers"]
            # Neither control header reaches the origin; the preset's headers do.
            assert "X-Upstream-Proxy" not in echoed and "Proxy-Authorization" not in echoed
            assert "sec-ch-ua" in {n.lower() for n in echoed}
        # Without one, the request goes direct.
        assert _forward(proxy, target, {"X-HTTPCloak-Scheme": "https"})[0] == 200
    # One tunnel: both requests named the same proxy, whose connection is kept for reuse.
    new = _connects(server)[before:]
    assert len(new) == 1, new
    assert new[0]["line"] == f"CONNECT 127.0.0.1:{_port(server.https)} HTTP/1.1"


def test_a_tunnel_goes_through_the_named_proxy(server: TestServer) -> None:
    before = len(_connects(server))
    with httpcloak.LocalProxy(verify=server.ca, allow_private_networks=True) as proxy:
        conn = http.client.HTTPSConnection(
            "127.0.0.1",
            proxy.port,
            timeout=15,
            context=ssl.create_default_context(cafile=server.ca),
        )
        upstream = f"HTTPCloak {server.proxy_url('http')}"
        conn.set_tunnel("localhost", _port(server.https), {"Proxy-Authorization": upstream})
        conn.request("GET", "/get")
        r = conn.getresponse()
        assert r.status == 200 and json.load(r)["method"] == "GET"
        conn.close()
    new = _connects(server)[before:]
    assert len(new) == 1 and new[0]["line"].startswith("CONNECT localhost:"), new


def test_the_guard_applies_to_the_upstream_proxy(server: TestServer) -> None:
    target = f"http://127.0.0.1:{_port(server.https)}/get"
    allowed = [f"127.0.0.1:{_port(server.https)}", f"localhost:{_port(server.https)}"]
    with httpcloak.LocalProxy(
        verify=server.ca, allowed_targets=allowed, allow_private_networks=True
    ) as proxy:
        upstream = {"X-Upstream-Proxy": server.proxy_url("http")}
        status, body, headers = _forward(proxy, target, {"X-HTTPCloak-Scheme": "https", **upstream})
        assert status == 403 and "upstream proxy" in body, body
        assert SECRET not in body and SECRET not in json.dumps(headers)
        # The same for a tunnel.
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=15)
        conn.request(
            "CONNECT",
            f"localhost:{_port(server.https)}",
            headers={"Host": f"localhost:{_port(server.https)}", **upstream},
        )
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        assert r.status == 403 and SECRET not in text, text
    # Loopback proxies are private addresses: refused without allow_private_networks.
    with httpcloak.LocalProxy(verify=server.ca, allowed_targets=["example.com:443"]) as proxy:
        status, body, _ = _forward(
            proxy, "http://example.com/", {"X-Upstream-Proxy": server.proxy_url("socks5")}
        )
        assert status == 403 and "upstream proxy" in body and SECRET not in body


def test_bad_or_failing_upstream_proxies_are_reported_without_credentials(
    server: TestServer,
) -> None:
    target = f"http://127.0.0.1:{_port(server.https)}/get"
    upgrade = {"X-HTTPCloak-Scheme": "https"}
    with httpcloak.LocalProxy(verify=server.ca, allow_private_networks=True) as proxy:
        status, body, headers = _forward(
            proxy, target, {**upgrade, "X-Upstream-Proxy": f"ftp://u:{SECRET}@127.0.0.1:1"}
        )
        assert status == 400 and "unsupported proxy scheme" in body
        assert headers["X-Httpcloak-Error"] == "invalid_argument"
        wrong = server.proxy_url("http", password="wrong-" + SECRET)
        status, body, _ = _forward(proxy, target, {**upgrade, "X-Upstream-Proxy": wrong})
        assert status == 502 and SECRET not in body, body
        assert _forward(proxy, target, upgrade)[0] == 200  # the proxy goes on


def test_auth_and_upstream_header_together(server: TestServer) -> None:
    """With auth=, clients authenticate in Proxy-Authorization: the upstream proxy then goes
    in X-Upstream-Proxy."""
    target = f"http://127.0.0.1:{_port(server.https)}/get"
    basic = "Basic " + base64.b64encode(b"me:pw").decode()
    with httpcloak.LocalProxy(
        verify=server.ca, allow_private_networks=True, auth=("me", "pw")
    ) as proxy:
        headers = {
            "X-HTTPCloak-Scheme": "https",
            "Proxy-Authorization": basic,
            "X-Upstream-Proxy": server.proxy_url("socks5"),
        }
        assert _forward(proxy, target, headers)[0] == 200


def test_udp_proxy_stays_refused() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="HTTP/1.1 and HTTP/2"):
        httpcloak.LocalProxy(udp_proxy="socks5://127.0.0.1:1080")
