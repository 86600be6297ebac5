"""HTTP/3: streams over QUIC, one connection for many streams, and QUIC's own failures."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import httpcloak

from servers import TestServer

THREADS = 8


@pytest.fixture
def h3(server: TestServer) -> Iterator[httpcloak.Session]:
    with httpcloak.Session(verify=server.ca, http_version="h3") as s:
        yield s


def _h3_stats(server: TestServer) -> dict[str, int]:
    with httpcloak.Session() as probe:
        stats: dict[str, Any] = probe.get(f"{server.http}/stats").json()
    return {"accepted": stats["accepted"]["h3"], "open": stats["open"]["h3"]}


def _conn_id(session: httpcloak.Session, server: TestServer) -> int:
    conn: int = session.get(f"{server.h3}/whoami").json()["conn_id"]
    return conn


def test_a_stream_over_h3_says_so_and_delivers_every_byte(
    h3: httpcloak.Session, server: TestServer
) -> None:
    with h3.get(f"{server.h3}/bytes/3000000", stream=True) as r:
        assert r.protocol == "h3"
        assert r.content_length == 3000000
        assert sum(len(chunk) for chunk in r.iter_content(65536)) == 3000000
    whoami = h3.get(f"{server.h3}/whoami").json()
    assert whoami["listener"] == "h3" and whoami["proto"] == "HTTP/3.0"


def test_server_sent_events_and_ndjson_over_h3(h3: httpcloak.Session, server: TestServer) -> None:
    with h3.get(f"{server.h3}/sse?count=4&interval=0.05", stream=True) as events:
        assert [e.id for e in events.iter_events()] == ["0", "1", "2", "3"]
    with h3.get(f"{server.h3}/ndjson?count=50", stream=True) as records:
        assert [record["i"] for record in records.iter_json()] == list(range(50))


def test_eight_concurrent_h3_streams_share_one_quic_connection(
    h3: httpcloak.Session, server: TestServer
) -> None:
    home = _conn_id(h3, server)
    accepted_before = _h3_stats(server)["accepted"]
    barrier = threading.Barrier(THREADS)

    def hold_stream(_: int) -> int:
        with h3.get(f"{server.h3}/drip?count=3&interval=0.2&size=4", stream=True) as r:
            barrier.wait(timeout=10)
            conn = _conn_id(h3, server)
            assert r.read() == b"****" * 3
            return conn

    with ThreadPoolExecutor(THREADS) as pool:
        conns = set(pool.map(hold_stream, range(THREADS)))
    assert conns == {home}, f"streams spread over QUIC connections {conns}"
    assert _h3_stats(server)["accepted"] == accepted_before


def test_closing_early_on_h3_resets_only_the_stream(
    h3: httpcloak.Session, server: TestServer
) -> None:
    first = _conn_id(h3, server)
    keep = h3.get(f"{server.h3}/drip?count=3&interval=0.1&size=2", stream=True)
    r = h3.get(f"{server.h3}/big/{1 << 30}", stream=True)
    next(r.iter_content())
    started = time.monotonic()
    r.close()
    assert time.monotonic() - started < 0.1
    assert keep.read() == b"**" * 3, "the other stream on the connection goes on"
    keep.close()
    assert _conn_id(h3, server) == first


def test_a_reset_h3_stream_raises_after_every_byte_that_arrived(
    h3: httpcloak.Session, server: TestServer
) -> None:
    received = bytearray()
    with h3.get(f"{server.h3}/truncated?length=10000&send=4000", stream=True) as r:
        with pytest.raises(httpcloak.IncompleteRead, match="reset the HTTP/3 stream") as caught:
            for chunk in r.iter_content(1000):
                received += chunk
    assert len(received) == 4000
    assert caught.value.partial == 4000


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_truncated_compressed_body_over_h3_raises(
    h3: httpcloak.Session, server: TestServer, encoding: str
) -> None:
    url = f"{server.h3}/compressed?encoding={encoding}&size=300000&truncate=1"
    with h3.get(url, stream=True) as r, pytest.raises(httpcloak.IncompleteRead):
        r.read()


def test_a_stalled_h3_body_raises_read_timeout(h3: httpcloak.Session, server: TestServer) -> None:
    started = time.monotonic()
    with pytest.raises(httpcloak.ReadTimeout):
        h3.get(f"{server.h3}/stall", timeout=(5, 0.5))
    assert time.monotonic() - started < 3


def test_h3_session_close_leaves_no_open_quic_connection(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, http_version="h3") as s:
        stream = s.get(f"{server.h3}/big/{1 << 30}", stream=True)
        next(stream.iter_content())
    with pytest.raises(httpcloak.StreamClosed):
        stream.read()
    deadline = time.monotonic() + 3
    while _h3_stats(server)["open"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _h3_stats(server)["open"] == 0


def test_h3_through_an_http_proxy_is_refused_with_the_reason(server: TestServer) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="QUIC runs over UDP"):
        httpcloak.Session(http_version="h3", proxy=server.proxy_url("http"))


def test_h3_to_a_silent_udp_port_fails_within_the_connect_timeout() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # open, never answering: datagrams are swallowed
        port = silent.getsockname()[1]
        started = time.monotonic()
        with httpcloak.Session(http_version="h3") as s, pytest.raises(httpcloak.ConnectTimeout):
            s.get(f"https://127.0.0.1:{port}/", timeout=(1, 5))
        assert time.monotonic() - started < 3


def test_h3_to_a_closed_udp_port_fails_at_once() -> None:
    """Nothing listens: a Chrome preset (a UDP socket per connection, as Chromium) hears the
    ICMP port unreachable and fails at once instead of at the connect timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with (
        httpcloak.Session("chrome-latest", http_version="h3") as s,
        pytest.raises(httpcloak.ConnectError, match="port unreachable"),
    ):
        s.get(f"https://127.0.0.1:{port}/", timeout=(5, 10))
    assert time.monotonic() - started < 3, "the ICMP error was not heard"


def test_an_untrusted_certificate_over_h3_is_a_tls_error(server: TestServer) -> None:
    with httpcloak.Session(http_version="h3") as s, pytest.raises(httpcloak.TLSError):
        s.get(f"{server.h3}/get")


def test_quic_idle_timeout_detects_a_silent_peer() -> None:
    """A server that stops answering (SIGSTOP) is given up after quic_idle_timeout, far
    sooner than the request's own timeouts."""
    with TestServer.start() as own:
        with httpcloak.Session(verify=own.ca, http_version="h3", quic_idle_timeout=1.0) as s:
            assert s.get(f"{own.h3}/get").status_code == 200
            os.kill(own.process.pid, signal.SIGSTOP)
            _wait_until_stopped(own.process.pid)
            try:
                started = time.monotonic()
                with pytest.raises(httpcloak.TransportError, match="(?i)idle|timeout|silent"):
                    s.get(f"{own.h3}/get", timeout=(20, 20))
                took = time.monotonic() - started
            finally:
                os.kill(own.process.pid, signal.SIGCONT)
    assert took < 5, f"the silent QUIC connection was given up after {took:.1f}s"


def _wait_until_stopped(pid: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status") as status:
            if "State:\tT" in status.read():
                return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not stop")


def test_one_requests_timeout_does_not_fail_another_sharing_the_dial(
    server: TestServer,
) -> None:
    # Requests waiting on the same QUIC handshake: the first one's connect timeout used to
    # fail the second with it. A UDP port nobody answers makes the handshake wait.
    import socket
    import threading

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    url = f"https://127.0.0.1:{silent.getsockname()[1]}/get"
    outcomes: dict[str, str] = {}
    with httpcloak.Session(verify=server.ca, http_version="h3") as s:

        def attempt(name: str, connect: float) -> None:
            try:
                s.get(url, timeout=httpcloak.Timeout(connect=connect))
            except httpcloak.HTTPCloakError as error:
                outcomes[name] = f"{type(error).__name__} {error}"

        short = threading.Thread(target=attempt, args=("short", 0.3))
        long = threading.Thread(target=attempt, args=("long", 2.0))
        short.start()
        time.sleep(0.05)
        long.start()
        short.join(10)
        long.join(10)
    silent.close()
    assert "(300ms)" in outcomes["short"]
    assert "(300ms)" not in outcomes["long"], "the long request failed with the short one's error"


def test_h3_over_plain_http_is_refused_before_any_packet(server: TestServer) -> None:
    with httpcloak.Session(http_version="h3") as s:
        with pytest.raises(httpcloak.InvalidArgument, match="https://"):
            s.get(f"{server.http}/get")
