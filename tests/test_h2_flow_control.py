"""HTTP/2 flow control like Chromium's (issue #16): how often the client gives read body
bytes back to the server as window, and how much at once.

Chromium's cadence is measured in tests/fixtures/browsers/chromium-*/window-updates.json
(tools/capture_window_updates.py: a 64 MiB body from tests/h2_flow.py's server, which
announces nginx's 64 KiB SETTINGS_INITIAL_WINDOW_SIZE): per stream and per connection, the
bytes read once they pass half of the window (6 MiB and 15 MiB, Chromium's), or less after
5 s without an update. fhttp compared the server's window instead of ours and acknowledged
every read: about 20,000 13-byte frames per GiB, and a cadence no browser has.
"""

from __future__ import annotations

import json
from pathlib import Path

from h2_flow import WindowUpdate, serve_counted_body

import httpcloak

from raw_h2 import Peer, RawH2Server
from servers import TestServer

FIXTURES = Path(__file__).parent / "fixtures" / "browsers"
STREAM_WINDOW = 6291456  # Chromium's SETTINGS_INITIAL_WINDOW_SIZE
CONNECTION_WINDOW = 15663105 + 65535  # its connection WINDOW_UPDATE plus the spec's start
SMALL_UPDATE_DELAY = 5.0  # seconds; a little early is tolerated for timer granularity
BODY = 32 << 20


def off_cadence(updates: list[WindowUpdate]) -> list[WindowUpdate]:
    """The updates that Chromium's rule would not send: under half the window, sooner than
    SMALL_UPDATE_DELAY after that window's previous update."""
    last: dict[int, float] = {}
    wrong = []
    for u in updates:
        half = (CONNECTION_WINDOW if u.stream == 0 else STREAM_WINDOW) // 2
        waited = u.at - last.get(u.stream, -SMALL_UPDATE_DELAY)
        if u.increment <= half and waited < SMALL_UPDATE_DELAY - 0.5:
            wrong.append(u)
        last[u.stream] = u.at
    return wrong


def chromium_updates() -> list[WindowUpdate]:
    (capture,) = FIXTURES.glob("chromium-*/window-updates.json")
    return [WindowUpdate(**u) for u in json.loads(capture.read_text())["window_updates"]]


def test_the_chromium_capture_follows_the_rule() -> None:
    updates = chromium_updates()
    assert not off_cadence(updates)
    # While the reader kept up (the first 40 MiB): one stream update per ~3 MiB, one
    # connection update per ~7.5 MiB.
    fast = [u for u in updates if u.sent_before < 40 << 20]
    assert all(u.increment > STREAM_WINDOW // 2 for u in fast if u.stream)
    assert all(u.increment > CONNECTION_WINDOW // 2 for u in fast if not u.stream)


def test_chrome_preset_acknowledges_like_chromium(server: TestServer) -> None:
    seen: list[list[WindowUpdate]] = []

    def handler(peer: Peer, index: int) -> None:
        seen.append(serve_counted_body(peer, BODY))

    with RawH2Server(server.server_pem, handler) as raw:
        with httpcloak.Session(preset="chrome-latest", verify=server.ca, timeout=60) as s:
            with s.get(f"{raw.url}/", stream=True) as response:
                assert response.protocol == "h2"
                read = sum(len(piece) for piece in response.iter_content(65536))
    assert not raw.errors
    assert read == BODY
    (updates,) = seen
    assert not off_cadence(updates), off_cadence(updates)[:5]
    streams = [u for u in updates if u.stream]
    connection = [u for u in updates if not u.stream]
    # 32 MiB past the first 6 MiB window: about 8 stream and 3 connection updates (a slow
    # moment of this machine may add one after 5 s), not one per read.
    assert 6 <= len(streams) <= 12, [u.increment for u in streams]
    assert 2 <= len(connection) <= 6, [u.increment for u in connection]
