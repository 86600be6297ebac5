"""HTTP/3 through a SOCKS5 proxy's UDP relay (udp_proxy=, or a socks5 proxy= on an "h3"
session): the test server's proxy counts associations and relayed datagrams in /stats."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

import httpcloak

from servers import TestServer


def _proxy_stats(server: TestServer) -> dict[str, int]:
    with httpcloak.Session() as probe:
        stats: dict[str, int] = probe.get(f"{server.http}/stats").json()["proxy"]
    return stats


def _wait_for_no_open_association(server: TestServer) -> int:
    deadline = time.monotonic() + 5
    while (open_now := _proxy_stats(server)["udp_open"]) and time.monotonic() < deadline:
        time.sleep(0.02)
    return open_now


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def via_relay(server: TestServer) -> Iterator[httpcloak.Session]:
    assert server.h3, "the test server's HTTP/3 listener did not start"
    with httpcloak.Session(
        verify=server.ca, http_version="h3", udp_proxy=server.proxy_url("socks5")
    ) as s:
        yield s


def test_h3_request_and_stream_go_through_the_udp_relay(
    via_relay: httpcloak.Session, server: TestServer
) -> None:
    before = _proxy_stats(server)
    r = via_relay.get(f"{server.h3}/get?via=udp")
    assert r.protocol == "h3" and r.json()["query"]["via"] == ["udp"]
    with via_relay.get(f"{server.h3}/bytes/300000", stream=True) as streamed:
        assert streamed.protocol == "h3"
        assert sum(len(chunk) for chunk in streamed.iter_content(65536)) == 300000
    after = _proxy_stats(server)
    assert after["udp_associations"] == before["udp_associations"] + 1  # one for both
    # 300 kB of QUIC packets of at most ~1.4 kB, each relayed once.
    assert after["udp_datagrams"] - before["udp_datagrams"] > 200
    assert after["udp_open"] >= 1
    assert via_relay.get_udp_proxy() == server.proxy_url("socks5")
    assert via_relay.get_proxy() is None


def test_a_socks5_proxy_option_carries_h3_too(server: TestServer) -> None:
    before = _proxy_stats(server)
    with httpcloak.Session(
        verify=server.ca, http_version="h3", proxy=server.proxy_url("socks5")
    ) as s:
        assert s.get(f"{server.h3}/whoami").protocol == "h3"
    after = _proxy_stats(server)
    assert after["udp_associations"] == before["udp_associations"] + 1
    assert after["socks5"] == before["socks5"]  # no TCP tunnel: only the UDP relay


def test_closing_the_session_ends_the_association(server: TestServer) -> None:
    assert _wait_for_no_open_association(server) == 0
    with httpcloak.Session(
        verify=server.ca, http_version="h3", udp_proxy=server.proxy_url("socks5")
    ) as s:
        assert s.get(f"{server.h3}/get").ok
        assert _proxy_stats(server)["udp_open"] == 1
    assert _wait_for_no_open_association(server) == 0


def test_wrong_credentials_are_a_proxy_error_without_the_password(server: TestServer) -> None:
    url = server.proxy_url("socks5", password="hunter2-wrong")
    before = _proxy_stats(server)["auth_failures"]
    with (
        httpcloak.Session(verify=server.ca, http_version="h3", udp_proxy=url) as s,
        pytest.raises(httpcloak.ProxyError) as caught,
    ):
        s.get(f"{server.h3}/get")
    message = str(caught.value)
    assert "authentication failed" in message
    assert "hunter2-wrong" not in message and "hunter2-wrong" not in repr(caught.value)
    assert _proxy_stats(server)["auth_failures"] == before + 1


def test_a_proxy_that_is_not_listening_is_a_proxy_error(server: TestServer) -> None:
    url = f"socks5://user:topsecret@127.0.0.1:{_closed_port()}"
    with (
        httpcloak.Session(verify=server.ca, http_version="h3", udp_proxy=url) as s,
        pytest.raises(httpcloak.ProxyError) as caught,
    ):
        s.get(f"{server.h3}/get", timeout=(3, 3))
    assert "topsecret" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"http_version": "h3", "udp_proxy": "http://127.0.0.1:1"}, "HTTP CONNECT"),
        ({"http_version": "h3", "udp_proxy": "https://127.0.0.1:1"}, "HTTP CONNECT"),
        ({"udp_proxy": "socks5://127.0.0.1:1"}, 'only to http_version="h3"'),
        (
            {"http_version": "h3", "udp_proxy": "socks5://a:1", "proxy": "socks5://b:1"},
            "not both",
        ),
    ],
)
def test_udp_proxies_the_engine_cannot_use_are_refused(options: dict[str, str], match: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=match):
        httpcloak.Session(**options)  # type: ignore[arg-type]


def test_set_udp_proxy_switches_an_h3_session(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, http_version="h3") as s:
        assert s.get_udp_proxy() is None
        with pytest.raises(httpcloak.InvalidArgument, match="HTTP CONNECT"):
            s.set_udp_proxy(server.proxy_url("http"))
        before = _proxy_stats(server)["udp_associations"]
        s.set_udp_proxy(server.proxy_url("socks5"))
        assert s.get(f"{server.h3}/get").protocol == "h3"
        assert _proxy_stats(server)["udp_associations"] == before + 1
        s.set_udp_proxy(None)
        assert s.get_udp_proxy() is None
        assert s.get(f"{server.h3}/get").ok
    with httpcloak.Session() as h2, pytest.raises(httpcloak.InvalidArgument, match="h3"):
        h2.set_udp_proxy(server.proxy_url("socks5"))


def test_connect_to_and_local_address_work_through_the_relay(server: TestServer) -> None:
    port = server.h3.rsplit(":", 1)[1]
    with httpcloak.Session(
        verify=server.ca,
        http_version="h3",
        udp_proxy=server.proxy_url("socks5"),
        local_address="127.0.0.2",
        connect_to={"localhost:1": f"127.0.0.1:{port}"},
    ) as s:
        r = s.get("https://localhost:1/whoami")  # port 1 only exists through connect_to
        assert r.protocol == "h3" and r.json()["listener"] == "h3"


def test_marshal_keeps_the_udp_proxy_without_its_credentials(server: TestServer) -> None:
    url = server.proxy_url("socks5")
    with httpcloak.Session(verify=server.ca, http_version="h3", udp_proxy=url) as s:
        state = s.marshal()
    assert "proxy-secret" not in state
    with pytest.raises(httpcloak.InvalidArgument, match="pass udp_proxy="):
        httpcloak.Session.unmarshal(state)
    before = _proxy_stats(server)["udp_associations"]
    with httpcloak.Session.unmarshal(state, udp_proxy=url) as restored:
        assert restored.get_udp_proxy() == url
        assert restored.get(f"{server.h3}/get").protocol == "h3"
    assert _proxy_stats(server)["udp_associations"] == before + 1


def test_a_dropped_association_fails_the_stream_as_a_proxy_error() -> None:
    # Servers of its own: stopping the proxy drops the control connection mid-stream, and
    # the target's QUIC connection, which nobody can close any more, does not outlive it.
    with TestServer.start() as target:
        with TestServer.start() as own:
            url = own.proxy_url("socks5")
            s = httpcloak.Session(verify=target.ca, http_version="h3", udp_proxy=url)
            stream = s.get(f"{target.h3}/drip?count=100&interval=0.1&size=4", stream=True)
        started = time.monotonic()
        with s, stream:
            with pytest.raises(httpcloak.ProxyError, match="closed the UDP association"):
                stream.read()
            assert time.monotonic() - started < 5, "QUIC waited for a relay that is gone"
            # The next request asks for a new association (refused: the proxy is gone).
            with pytest.raises(httpcloak.ProxyError, match="refused"):
                s.get(f"{target.h3}/get", timeout=(3, 3))
