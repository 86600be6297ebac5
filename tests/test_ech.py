"""Encrypted Client Hello: the configuration comes from a DNS HTTPS record (the host's own,
or ech_config_domain's), asked of the servers set with set_ech_dns_servers; the test
server's ECH endpoint (Go crypto/tls with an ECH key) reports whether it accepted ECH and
the server name it saw, which is the inner SNI only when it did."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import httpcloak

from servers import TestServer

PROTOCOLS = ["h1", "h2"]
_unique = itertools.count()


def _name(suffix: str) -> str:
    """A name no other test asked about (the lookups' cache is the process's)."""
    return f"t{next(_unique)}-{id(_unique)}.{suffix}"


@pytest.fixture
def dns(server: TestServer) -> Iterator[str]:
    httpcloak.set_ech_dns_servers([server.dns])
    yield server.dns
    httpcloak.set_ech_dns_servers(None)


def _ech_session(server: TestServer, host: str, **options: Any) -> httpcloak.Session:
    port = urlsplit(server.ech).port
    return httpcloak.Session(verify=server.ca, connect_to={host: f"127.0.0.1:{port}"}, **options)


def _seen(server: TestServer, host: str, protocol: str = "h2", **options: Any) -> dict[str, Any]:
    port = urlsplit(server.ech).port
    with _ech_session(server, host, http_version=protocol, **options) as s:
        r = s.get(f"https://{host}:{port}/ech")
        assert r.protocol == protocol
        seen: dict[str, Any] = r.json()
        return seen


def _queries(server: TestServer, name: str) -> int:
    with httpcloak.Session() as probe:
        counts: dict[str, int] = probe.get(f"{server.http}/dns/queries").json()
    return counts.get(name, 0)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_host_whose_record_has_ech_gets_it(server: TestServer, dns: str, protocol: str) -> None:
    host = _name("ech.test")
    seen = _seen(server, host, protocol)
    assert seen == {"ech_accepted": True, "server_name": host, "proto": seen["proto"]}
    assert seen["proto"] == ("HTTP/2.0" if protocol == "h2" else "HTTP/1.1")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_ech_config_domain_gives_every_host_its_config(
    server: TestServer, dns: str, protocol: str
) -> None:
    host, source = _name("none.test"), _name("ech.test")
    seen = _seen(server, host, protocol, ech_config_domain=source)
    assert seen["ech_accepted"] is True and seen["server_name"] == host
    assert _queries(server, source) == 1 and _queries(server, host) == 0


def test_without_a_record_the_preset_sends_grease_ech(server: TestServer, dns: str) -> None:
    host = _name("none.test")
    seen = _seen(server, host)
    assert seen["ech_accepted"] is False and seen["server_name"] == host
    assert _queries(server, host) == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_rejected_config_is_retried_with_the_servers_retry_configs(
    server: TestServer, dns: str, protocol: str
) -> None:
    host = _name("stale.test")
    seen = _seen(server, host, protocol)
    assert seen["ech_accepted"] is True and seen["server_name"] == host


def test_answers_are_cached_for_their_ttl(server: TestServer, dns: str) -> None:
    host = _name("ech.test")
    for _ in range(3):
        assert _seen(server, host)["ech_accepted"] is True
    assert _queries(server, host) == 1


def test_disable_ech_makes_no_lookup(server: TestServer, dns: str) -> None:
    host = _name("ech.test")
    seen = _seen(server, host, disable_ech=True)
    assert seen["ech_accepted"] is False and _queries(server, host) == 0


def test_no_automatic_lookup_through_a_proxy(server: TestServer, dns: str) -> None:
    """The proxy resolves the names it is asked for; a local lookup would leak them."""
    host, source = _name("ech.test"), _name("ech.test")
    port = urlsplit(server.ech).port
    url = f"https://{host}:{port}/ech"
    proxy = server.proxy_url("http")
    with _ech_session(server, host, proxy=proxy) as s:
        assert s.get(url).json()["ech_accepted"] is False
    with _ech_session(server, host, proxy=proxy, ech_config_domain=source) as s:
        assert s.get(url).json() == {
            "ech_accepted": True,
            "server_name": host,
            "proto": "HTTP/2.0",
        }
    assert _queries(server, host) == 0 and _queries(server, source) == 1


@pytest.mark.parametrize("suffix", ["servfail.test", "silent.test"])
def test_a_failing_dns_server_only_means_no_ech(server: TestServer, dns: str, suffix: str) -> None:
    host = _name(suffix)
    seen = _seen(server, host)
    assert seen["ech_accepted"] is False and seen["server_name"] == host


def test_the_next_server_is_asked_when_one_fails(server: TestServer) -> None:
    # A closed UDP port first: refused at once, then the test server's DNS.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{closed.getsockname()[1]}"
    httpcloak.set_ech_dns_servers([dead, server.dns])
    try:
        assert _seen(server, _name("ech.test"))["ech_accepted"] is True
    finally:
        httpcloak.set_ech_dns_servers(None)


def test_ech_dns_servers_are_set_and_read_back(server: TestServer) -> None:
    system = httpcloak.get_ech_dns_servers()
    httpcloak.set_ech_dns_servers(["10.0.0.53", "[::1]:5353", server.dns])
    try:
        assert httpcloak.get_ech_dns_servers() == ["10.0.0.53:53", "[::1]:5353", server.dns]
    finally:
        httpcloak.set_ech_dns_servers(None)
    assert httpcloak.get_ech_dns_servers() == system


def test_the_default_servers_are_the_systems() -> None:
    listed = []
    for line in Path("/etc/resolv.conf").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            listed.append(fields[1])
    got = httpcloak.get_ech_dns_servers()
    assert [server.rsplit(":", 1)[0].strip("[]") for server in got] == listed


@pytest.mark.parametrize("bad", ["dns.example.com", "10.0.0.1:0", "10.0.0.1:99999", ""])
def test_bad_dns_servers_are_refused(bad: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="must be an IP address"):
        httpcloak.set_ech_dns_servers([bad])


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        httpcloak.set_ech_dns_servers("10.0.0.53")
    with pytest.raises(TypeError):
        httpcloak.Session(ech_config_domain=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ech_config_domain": "ech.test", "disable_ech": True}, "conflicts with disable_ech"),
        ({"ech_config_domain": "ech.test", "http_version": "h3"}, "not over HTTP/3"),
        ({"ech_config_domain": "https://ech.test/"}, "must be a DNS name"),
        ({"ech_config_domain": "127.0.0.1"}, "must be a DNS name"),
        ({"ech_config_domain": "ech.test", "preset": "safari"}, "sends no ECH extension"),
    ],
)
def test_bad_ech_options_are_invalid_arguments(options: dict[str, Any], message: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=message):
        httpcloak.Session(**options)


def test_a_silent_dns_server_never_costs_the_request(server: TestServer, dns: str) -> None:
    """A lookup takes at most half the time left to connect: with a short connect timeout
    and a server that never answers, the request still goes out, without ECH."""
    host = _name("silent.test")
    seen = _seen(server, host, timeout=httpcloak.Timeout(connect=0.6))
    assert seen["ech_accepted"] is False and seen["server_name"] == host


def test_a_rejection_without_retry_configs_is_retried_without_ech(
    server: TestServer, dns: str
) -> None:
    """The main test server has no ECH key: it answers the outer hello (as
    public.ech.test) and sends no retry configs; the connection is made again without ECH."""
    host, source = _name("none.test"), _name("ech.test")
    port = urlsplit(server.https).port
    with httpcloak.Session(
        verify=server.ca, connect_to={host: f"127.0.0.1:{port}"}, ech_config_domain=source
    ) as s:
        assert s.get(f"https://{host}:{port}/get").ok


def test_the_options_are_saved_with_the_session(server: TestServer) -> None:
    with httpcloak.Session(ech_config_domain="ech.test", disable_ech=False) as s:
        state = s.marshal()
    with httpcloak.Session.unmarshal(state) as restored:
        assert restored.marshal() == state
    assert '"ech_config_domain": "ech.test"' in state
