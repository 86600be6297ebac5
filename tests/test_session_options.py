"""Network options of a session, each shown by its effect on a real loopback server:
connect_to, local_address, prefer_ipv4, key_log_file, tls_only, split proxies, HTTP/3 knobs,
and the options refused because the engine cannot honour them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import httpcloak

from servers import TestServer


def _port(url: str) -> str:
    return url.rsplit(":", 1)[1]


def _proxy_stats(server: TestServer) -> dict[str, int]:
    with httpcloak.Session() as probe:
        stats: dict[str, int] = probe.get(f"{server.http}/stats").json()["proxy"]
    return stats


# ---- connect_to -----------------------------------------------------------------------


def test_connect_to_dials_elsewhere_but_keeps_sni_and_host(server: TestServer) -> None:
    port = _port(server.https)
    url = f"https://testserver.local:{port}/fingerprint"
    with httpcloak.Session(verify=server.ca) as plain:
        with pytest.raises(httpcloak.DNSError):  # the name does not resolve here
            plain.get(url)
    with httpcloak.Session(verify=server.ca, connect_to={"testserver.local": "127.0.0.1"}) as s:
        echo = s.get(url).json()
    # The certificate was checked against the name, which went out as SNI and Host.
    assert echo["sni"] == "testserver.local"
    assert echo["host"] == f"testserver.local:{port}"


def test_connect_to_host_and_port_key_rewrites_the_port(server: TestServer) -> None:
    mapping = {"testserver.local:443": f"127.0.0.1:{_port(server.https)}"}
    with httpcloak.Session(verify=server.ca, connect_to=mapping) as s:
        r = s.get("https://testserver.local/headers")
    assert r.json()["host"] == "testserver.local"


def test_connect_to_applies_to_http3(server: TestServer) -> None:
    if not server.h3:
        pytest.skip("the test server has no HTTP/3 listener")
    url = f"https://testserver.local:{_port(server.h3)}/headers"
    with httpcloak.Session(
        verify=server.ca, http_version="h3", connect_to={"testserver.local": "127.0.0.1"}
    ) as s:
        r = s.get(url)
    assert r.protocol == "h3"
    assert r.json()["host"] == f"testserver.local:{_port(server.h3)}"


@pytest.mark.parametrize("bad", [{"": "127.0.0.1"}, {"a.test": "b.test:99999"}])
def test_connect_to_refuses_malformed_entries(bad: dict[str, str]) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="connect_to"):
        httpcloak.Session(connect_to=bad)


# ---- local_address and prefer_ipv4 -------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_local_address_is_the_source_the_server_sees(server: TestServer, scheme: str) -> None:
    with httpcloak.Session(verify=server.ca, local_address="127.0.0.2") as s:
        remote = s.get(f"{getattr(server, scheme)}/whoami").json()["remote"]
    assert remote.startswith("127.0.0.2:")


def test_local_address_binds_quic_too(server: TestServer) -> None:
    if not server.h3:
        pytest.skip("the test server has no HTTP/3 listener")
    with httpcloak.Session(verify=server.ca, http_version="h3", local_address="127.0.0.3") as s:
        r = s.get(f"{server.h3}/whoami")
    assert r.protocol == "h3"
    assert r.json()["remote"].startswith("127.0.0.3:")


def test_local_address_must_be_an_ip() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="local_address"):
        httpcloak.Session(local_address="not-an-ip")


def test_prefer_ipv4_dials_the_ipv4_address_of_a_name(server: TestServer) -> None:
    # Here localhost resolves to 127.0.0.1 only; go/internal/engine/netopts_test.go shows the
    # ordering with a name that has both families, against listeners on ::1 and 127.0.0.1.
    url = f"http://localhost:{_port(server.http)}/whoami"
    with httpcloak.Session(prefer_ipv4=True) as s:
        assert s.get(url).json()["remote"].startswith("127.0.0.1:")


# ---- key_log_file ----------------------------------------------------------------------


@pytest.mark.parametrize("http_version", ["h1", "h2", "h3"])
def test_key_log_file_gets_nss_lines(server: TestServer, tmp_path: Path, http_version: str) -> None:
    if http_version == "h3" and not server.h3:
        pytest.skip("the test server has no HTTP/3 listener")
    path = tmp_path / "keys.log"
    base = server.h3 if http_version == "h3" else server.https
    with httpcloak.Session(
        verify=server.ca,
        http_version=http_version,
        key_log_file=path,
    ) as s:
        assert s.get(f"{base}/get").protocol == http_version
    lines = path.read_text().splitlines()
    labels = {line.split(" ", 1)[0] for line in lines}
    assert labels & {"CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET"}, lines
    assert all(re.fullmatch(r"[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+", line) for line in lines)


def test_key_log_file_that_cannot_be_opened_is_refused(tmp_path: Path) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="key_log_file"):
        httpcloak.Session(key_log_file=tmp_path / "missing-dir" / "keys.log")


# ---- tls_only --------------------------------------------------------------------------


def test_tls_only_sends_the_fingerprint_without_the_preset_headers(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as full:
        full_echo = full.get(f"{server.https}/fingerprint").json()
    with httpcloak.Session(verify=server.ca, tls_only=True, headers={"x-mine": "1"}) as s:
        echo = s.get(f"{server.https}/fingerprint").json()
    names = {name.lower() for name in echo["headers"]}
    assert "sec-ch-ua" not in names and "sec-fetch-mode" not in names
    assert "x-mine" in names
    assert echo["ja4"] == full_echo["ja4"]
    assert echo["akamai"] == full_echo["akamai"]


# ---- HTTP/3 knobs and refused options --------------------------------------------------


def test_disable_http3_conflicts_with_h3() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="disable_http3"):
        httpcloak.Session(http_version="h3", disable_http3=True)


def test_disable_http3_with_auto_still_speaks_h2(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, disable_http3=True) as s:
        assert s.get(f"{server.https}/get").protocol == "h2"


def test_quic_idle_timeout_is_seconds_and_checked(server: TestServer) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="quic_idle"):
        httpcloak.Session(http_version="h3", quic_idle_timeout=-1)
    httpcloak.Session(http_version="h3", quic_idle_timeout=0).close()  # upstream: the default
    with pytest.raises(TypeError):
        httpcloak.Session(http_version="h3", quic_idle_timeout="30")  # type: ignore[arg-type]
    if server.h3:
        with httpcloak.Session(verify=server.ca, http_version="h3", quic_idle_timeout=2.5) as s:
            assert s.get(f"{server.h3}/get").protocol == "h3"


# ---- split proxies ---------------------------------------------------------------------


def test_tcp_proxy_carries_h1_and_h2(server: TestServer) -> None:
    before = _proxy_stats(server)
    with httpcloak.Session(verify=server.ca, tcp_proxy=server.proxy_url("socks5")) as s:
        assert s.get(f"{server.https}/get").protocol == "h2"
        assert s.get_proxy() == server.proxy_url("socks5")
    assert _proxy_stats(server)["socks5"] > before["socks5"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"proxy": "http://127.0.0.1:1", "tcp_proxy": "http://127.0.0.1:2"}, "not both"),
        ({"udp_proxy": "socks5://127.0.0.1:1"}, "udp_proxy"),
        ({"http_version": "h3", "tcp_proxy": "http://127.0.0.1:1"}, "tcp_proxy"),
    ],
)
def test_proxy_combinations_the_engine_cannot_honour(options: dict[str, Any], match: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=match):
        httpcloak.Session(**options)


def test_unknown_or_mistyped_options_are_type_errors() -> None:
    with pytest.raises(TypeError, match="prefer_ipv5"):
        httpcloak.Session(prefer_ipv5=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="prefer_ipv4"):
        httpcloak.Session(prefer_ipv4="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="connect_to"):
        httpcloak.Session(connect_to=[("a", "b")])  # type: ignore[arg-type]
