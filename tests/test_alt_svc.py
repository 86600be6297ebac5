"""http_version="auto" learns HTTP/3 from Alt-Svc as Chrome does (issue #14).

Against hypercorn (a third-party server) with its HTTP/3 listener: it answers over HTTP/2
with `Alt-Svc: h3=":PORT"; ma=3600`, the next requests make a QUIC connection beside TCP,
and once its handshake completed the requests go over HTTP/3 (r.protocol says which). When
UDP does not get through, every request still succeeds over TCP and the alternative is left
alone for a while instead of being dialled again on each request.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from hypercorn_server import serve_hypercorn

import httpcloak

from servers import TestServer

DEADLINE_SECONDS = 15  # generous: QUIC on loopback is up in milliseconds
RACED_HANDSHAKE_SILENCE = 3.0  # engine/auto.go altSvcHandshakeSilence


async def echo_version(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers every request with the HTTP version hypercorn served it over."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = json.dumps({"http_version": scope["http_version"]}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


class UDPSink:
    """A UDP port that swallows every datagram (UDP blocked on the path), counting them."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.datagrams = 0
        self.first_at: float | None = None
        self._lock = threading.Lock()
        threading.Thread(target=self._swallow, daemon=True).start()

    def _swallow(self) -> None:
        while True:
            try:
                self.sock.recv(65535)
            except OSError:
                return
            with self._lock:
                self.datagrams += 1
                if self.first_at is None:
                    self.first_at = time.monotonic()

    def count(self) -> int:
        with self._lock:
            return self.datagrams

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def sink() -> Iterator[UDPSink]:
    s = UDPSink()
    yield s
    s.close()


def test_auto_reaches_http3_after_alt_svc(server: TestServer) -> None:
    with (
        serve_hypercorn(echo_version, server.server_pem, quic=True) as served,
        httpcloak.Session("chrome-latest", verify=server.ca) as s,
    ):
        first = s.get(served.url + "/")
        assert first.protocol == "h2" and first.json() == {"http_version": "2"}
        assert f'h3=":{served.udp_port}"' in first.headers["alt-svc"]
        protocols = [first.protocol]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while protocols[-1] != "h3" and time.monotonic() < deadline:
            r = s.get(served.url + "/")
            assert r.status_code == 200  # every request answered, whichever protocol
            protocols.append(r.protocol)
        assert protocols[-1] == "h3", protocols
        # Once QUIC is up, new requests use it; hypercorn served them over HTTP/3.
        later = [s.get(served.url + "/") for _ in range(5)]
        assert [r.protocol for r in later] == ["h3"] * 5
        assert [r.json() for r in later] == [{"http_version": "3"}] * 5


@pytest.mark.parametrize(
    "options", [{"http_version": "h2"}, {"disable_http3": True}], ids=["h2", "disable_http3"]
)
def test_no_switch_to_http3_when_the_session_says_so(
    server: TestServer, options: dict[str, Any]
) -> None:
    with (
        serve_hypercorn(echo_version, server.server_pem, quic=True) as served,
        httpcloak.Session("chrome-latest", verify=server.ca, **options) as s,
    ):
        assert {s.get(served.url + "/").protocol for _ in range(5)} == {"h2"}
        time.sleep(0.5)  # "auto" would have its QUIC connection up by now
        assert {s.get(served.url + "/").json()["http_version"] for _ in range(3)} == {"2"}


def test_auto_falls_back_silently_when_udp_is_blocked(server: TestServer, sink: UDPSink) -> None:
    alt_svc = [f'h3=":{sink.port}"; ma=3600']
    with (
        serve_hypercorn(echo_version, server.server_pem, alt_svc=alt_svc) as served,
        httpcloak.Session("chrome-latest", verify=server.ca) as s,
    ):
        first = s.get(served.url + "/")
        assert first.protocol == "h2" and first.headers["alt-svc"] == alt_svc[0]
        # The next requests race QUIC to the sink; they all go over TCP meanwhile.
        deadline = time.monotonic() + DEADLINE_SECONDS
        while sink.count() == 0 and time.monotonic() < deadline:
            assert s.get(served.url + "/").protocol == "h2"
        assert sink.count() > 0, "no QUIC Initial was sent to the Alt-Svc port"
        # Requests never wait for the silent handshake.
        for _ in range(5):
            assert s.get(served.url + "/").protocol == "h2"
        # The handshake gives up after its silence; the alternative is then remembered as
        # broken: more requests send no new Initial (a new race would send one at once).
        assert sink.first_at is not None
        time.sleep(max(0.0, sink.first_at + RACED_HANDSHAKE_SILENCE + 1 - time.monotonic()))
        before = sink.count()
        for _ in range(5):
            assert s.get(served.url + "/").protocol == "h2"
        time.sleep(1)
        assert sink.count() == before


def test_a_quic_server_that_goes_away_costs_no_request(server: TestServer) -> None:
    """The HTTP/3 side stops while TCP stays (a restarted server): the GET sent on the QUIC
    connection learns it at once from the ICMP "port unreachable" (not after the idle
    timeout, 90 s), goes again over TCP instead of failing, and the alternative is then left
    alone."""
    with ExitStack() as quic_side:
        udp_port = quic_side.enter_context(
            serve_hypercorn(echo_version, server.server_pem, quic=True)
        ).udp_port
        alt_svc = [f'h3=":{udp_port}"; ma=3600']
        with (
            serve_hypercorn(echo_version, server.server_pem, alt_svc=alt_svc) as front,
            httpcloak.Session("chrome-latest", verify=server.ca) as s,
        ):
            deadline = time.monotonic() + DEADLINE_SECONDS
            while s.get(front.url + "/").protocol != "h3":
                assert time.monotonic() < deadline, "auto never reached HTTP/3"
            quic_side.close()
            started = time.monotonic()
            r = s.get(front.url + "/")
            assert r.json() == {"http_version": "2"}
            assert time.monotonic() - started < 10, "the request waited for QUIC's idle timeout"
            assert {s.get(front.url + "/").protocol for _ in range(5)} == {"h2"}
