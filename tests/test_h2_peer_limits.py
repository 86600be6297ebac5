"""HTTP/2 limits a server sets, and what a server may throw at us.

Concurrency runs against hypercorn with its default settings (it advertises 100 concurrent
streams and answers one more with GOAWAY PROTOCOL_ERROR; our Go test server refuses the
excess stream by stream, which would hide an overrun). GOAWAY and the CONTINUATION flood
come from a raw server (raw_h2.py) that does exactly what each test needs.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypercorn_server import serve_hypercorn

import httpcloak

from raw_h2 import (
    CONTINUATION,
    HEADERS,
    SETTINGS_MAX_CONCURRENT_STREAMS,
    STATUS_200,
    Peer,
    RawH2Server,
    frame,
    goaway,
    ok_response,
)
from servers import TestServer

REQUESTS = 300
HYPERCORN_STREAMS = 100  # its default h2_max_concurrent_streams


class CountingApp:
    """An ASGI app that counts the requests in flight (each waits a moment, so they
    overlap) and the client connections they came on."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.served = 0
        self.connections: set[tuple[str, int]] = set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        self.connections.add(tuple(scope["client"]))
        try:
            await asyncio.sleep(0.02)
        finally:
            self.in_flight -= 1
        self.served += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@contextmanager
def hypercorn(app: CountingApp, server: TestServer) -> Iterator[str]:
    """hypercorn on 127.0.0.1 (a free port) over TLS with HTTP/2, default settings."""
    with serve_hypercorn(app, server.server_pem) as served:
        yield served.url
        # The client's session is closed by now: its connections must end before hypercorn
        # shuts down, or hypercorn's own TLS close races the client's last frames (OpenSSL
        # then fails hypercorn's shutdown with APPLICATION_DATA_AFTER_CLOSE_NOTIFY).
        _wait_until_no_connection(int(served.url.rsplit(":", 1)[1]))


def _established_to(port: int) -> int:
    """Established TCP connections whose local port is port (the server's side), from
    /proc/net/tcp: the kernel's view, whoever holds them."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if int(local.rsplit(":", 1)[1], 16) == port and state == "01":
            count += 1
    return count


def _wait_until_no_connection(port: int, bound: float = 10.0) -> None:
    deadline = time.monotonic() + bound
    while (left := _established_to(port)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not left, f"{left} connection(s) still open {bound:.0f} s after the session closed"


def _assert_within_the_servers_limit(app: CountingApp) -> None:
    assert app.served == REQUESTS
    assert 1 < app.peak <= HYPERCORN_STREAMS, f"{app.peak} requests in flight at once"
    # Like Chrome: the excess waits on the one connection, no second connection is opened.
    assert len(app.connections) == 1, app.connections


def test_300_concurrent_async_requests_respect_max_concurrent_streams(server: TestServer) -> None:
    app = CountingApp()

    async def main(url: str) -> list[tuple[int, str]]:
        async with httpcloak.AsyncSession(preset="chrome-latest", verify=server.ca) as s:

            async def one() -> tuple[int, str]:
                r = await s.get(f"{url}/")
                return r.status_code, r.protocol

            return await asyncio.gather(*(one() for _ in range(REQUESTS)))

    with hypercorn(app, server) as url:
        results = asyncio.run(main(url))
    assert results == [(200, "h2")] * REQUESTS
    _assert_within_the_servers_limit(app)


def test_300_concurrent_threads_on_one_session_respect_max_concurrent_streams(
    server: TestServer,
) -> None:
    app = CountingApp()
    with hypercorn(app, server) as url:
        with httpcloak.Session(preset="chrome-latest", verify=server.ca) as s:
            with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
                results = list(pool.map(lambda _: s.get(f"{url}/").status_code, range(REQUESTS)))
    assert results == [200] * REQUESTS
    _assert_within_the_servers_limit(app)


def _get_all(session: httpcloak.Session, url: str, count: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: session.get(url).status_code, range(count)))


def test_streams_above_a_goaway_are_retried_on_a_new_connection(server: TestServer) -> None:
    seen: dict[int, list[int]] = {}  # connection index -> the streams that came on it

    def handler(peer: Peer, index: int) -> None:
        peer.handshake()
        streams = seen.setdefault(index, [])
        while (f := peer.next_frame()) is not None:
            if f.type != HEADERS:
                continue
            streams.append(f.stream)
            if index > 0:
                peer.send(ok_response(f.stream))
            elif len(streams) == 4:
                # Graceful shutdown that processed only the first stream: the other three
                # never reached the application and may go again.
                first = min(streams)
                peer.send(goaway(first) + ok_response(first))
                return

    with RawH2Server(server.server_pem, handler) as raw:
        with httpcloak.Session(preset="chrome-latest", verify=server.ca, timeout=30) as s:
            assert _get_all(s, f"{raw.url}/", 4) == [200] * 4
    assert not raw.errors
    assert sorted(seen[0]) == [1, 3, 5, 7]
    assert len(seen[1]) == 3


def test_requests_queued_for_a_stream_slot_move_on_at_goaway(server: TestServer) -> None:
    seen: dict[int, list[int]] = {}
    moved = threading.Event()
    moved_before_the_first_stream_ended: list[bool] = []

    def handler(peer: Peer, index: int) -> None:
        peer.handshake({SETTINGS_MAX_CONCURRENT_STREAMS: 1})
        streams = seen.setdefault(index, [])
        while (f := peer.next_frame()) is not None:
            if f.type != HEADERS:
                continue
            streams.append(f.stream)
            if index > 0:
                peer.send(ok_response(f.stream))
                if len(streams) == 2:
                    moved.set()
            elif len(streams) == 1:
                peer.send(ok_response(f.stream))  # the first request: SETTINGS are in
            else:
                # One stream open, two requests queued behind it. GOAWAY keeps this
                # stream but must send the queued ones to a new connection now, not
                # when this stream ends (which here waits for them).
                peer.send(goaway(f.stream))
                moved_before_the_first_stream_ended.append(moved.wait(timeout=30))
                peer.send(ok_response(f.stream))
                return

    with RawH2Server(server.server_pem, handler) as raw:
        with httpcloak.Session(preset="chrome-latest", verify=server.ca, timeout=60) as s:
            assert s.get(f"{raw.url}/").status_code == 200
            assert _get_all(s, f"{raw.url}/", 3) == [200] * 3
    assert not raw.errors
    assert seen[0] == [1, 3]
    assert len(seen[1]) == 2
    assert moved_before_the_first_stream_ended == [True]


FLOOD_BYTES = 64 << 20
# A literal header field without indexing, new name (RFC 7541 6.2.2): 110 bytes on the wire,
# 139 toward the header list size. A frame's worth of them fits the default 16 KiB frame.
_FIELD = b"\x00\x07x-flood\x64" + b"a" * 100
FLOOD_FRAME_PAYLOAD = _FIELD * (16384 // len(_FIELD))

# The client in a fresh process, so its peak memory is its own (VmHWM; see test_memory.py).
GET_AND_REPORT = """
import json, re, sys, httpcloak
url, ca, preset = sys.argv[1:4]
def mib(field):
    with open("/proc/self/status") as status:
        return int(re.search(field + r":\\s+(\\d+)", status.read()).group(1)) // 1024
with httpcloak.Session(preset=preset, verify=ca, timeout=60) as s:
    s.get(url.replace("/flood", "/warm-up"))
    before = mib("VmRSS")
    try:
        outcome = "answered %d" % s.get(url).status_code
    except httpcloak.HTTPCloakError as error:
        outcome = "%s: %s" % (type(error).__name__, error)
print(json.dumps({"outcome": outcome, "growth_mib": mib("VmHWM") - before}))
"""


@pytest.mark.parametrize("preset", ["chrome-latest", "firefox-latest"])
def test_a_continuation_flood_is_cut_at_the_header_list_limit(
    server: TestServer, preset: str
) -> None:
    # chrome-latest advertises SETTINGS_MAX_HEADER_LIST_SIZE 262144; firefox-latest sets
    # none, and the limit is then Chrome's 256 KiB too.
    flood_sent: list[int] = []

    def handler(peer: Peer, index: int) -> None:
        peer.handshake()
        warmed_up = False
        while (f := peer.next_frame()) is not None:
            if f.type != HEADERS:
                continue
            if not warmed_up:  # the first request (stream 1, or 3 as Firefox)
                warmed_up = True
                peer.send(ok_response(f.stream))  # /warm-up
                continue
            # A header block that never ends: CONTINUATION frames without END_HEADERS.
            sent = 0
            try:
                peer.send(frame(HEADERS, 0, f.stream, STATUS_200))
                block = frame(CONTINUATION, 0, f.stream, FLOOD_FRAME_PAYLOAD)
                while sent < FLOOD_BYTES:
                    peer.send(block)
                    sent += len(block)
            finally:
                flood_sent.append(sent)
            return

    with RawH2Server(server.server_pem, handler) as raw:
        done = subprocess.run(
            [sys.executable, "-c", GET_AND_REPORT, f"{raw.url}/flood", server.ca, preset],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    report = json.loads(done.stdout)
    assert report["outcome"].startswith("ProtocolError: ")
    assert "header list larger than the 262144-byte limit" in report["outcome"]
    # The client stopped reading soon after the limit: what the server got out is the
    # limit plus what the socket buffers on both sides held, far from the whole flood.
    assert flood_sent and flood_sent[0] < FLOOD_BYTES // 4, flood_sent
    assert report["growth_mib"] < 32, report
