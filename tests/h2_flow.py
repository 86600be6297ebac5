"""A body sent under the client's HTTP/2 flow control, and the WINDOW_UPDATE frames the
client answered with: how often a client acknowledges what it read, and by how much, is
part of its fingerprint (and of its cost: every frame is a write and a wake-up).

`serve_counted_body(peer, size)` is a raw_h2 handler body: it answers the first request
with `size` bytes in 16 KiB DATA frames, never past the client's stream or connection
window, and every other request with an empty 200. It returns the client's WINDOW_UPDATE
frames from its first DATA frame on. tools/capture_window_updates.py records a browser's
this way; tests/test_h2_flow_control.py compares ours with them.
"""

from __future__ import annotations

import select
import struct
import time
from dataclasses import asdict, dataclass
from typing import Any

from raw_h2 import (
    DATA,
    END_HEADERS,
    END_STREAM,
    HEADERS,
    SETTINGS,
    SETTINGS_INITIAL_WINDOW_SIZE,
    STATUS_200,
    WINDOW_UPDATE,
    Peer,
    frame,
    ok_response,
)

DATA_FRAME = 16384  # the default SETTINGS_MAX_FRAME_SIZE
SPEC_WINDOW = 65535  # every window's start (RFC 9113 6.9.2)
# nginx's SETTINGS_INITIAL_WINDOW_SIZE: a small server window, which once made fhttp
# acknowledge every read.
NGINX_WINDOW = 65536


@dataclass
class WindowUpdate:
    stream: int  # 0: the connection
    increment: int
    sent_before: int  # body bytes the server had sent when it read this frame
    at: float  # seconds since the first DATA frame

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _content_headers(size: int) -> bytes:
    """:status 200, content-type text/plain, content-length (static-table names only)."""

    def literal(index: int, value: bytes) -> bytes:  # literal without indexing, 4-bit prefix
        return bytes([0x0F, index - 15, len(value)]) + value

    return STATUS_200 + literal(31, b"text/plain") + literal(28, str(size).encode())


def serve_counted_body(
    peer: Peer, size: int, server_settings: dict[int, int] | None = None
) -> list[WindowUpdate]:
    peer.handshake({SETTINGS_INITIAL_WINDOW_SIZE: NGINX_WINDOW, **(server_settings or {})})
    stream_start = SPEC_WINDOW  # the client's SETTINGS_INITIAL_WINDOW_SIZE, once read
    conn_window = SPEC_WINDOW
    windows: dict[int, int] = {}
    body_stream = 0
    updates: list[WindowUpdate] = []
    sent = 0
    started = 0.0

    def absorb(f: Any) -> None:
        nonlocal stream_start, conn_window, body_stream
        if f.type == SETTINGS and not f.flags & 1:
            for at in range(0, len(f.payload), 6):
                key, value = struct.unpack(">HI", f.payload[at : at + 6])
                if key == SETTINGS_INITIAL_WINDOW_SIZE:
                    for sid in windows:
                        windows[sid] += value - stream_start
                    stream_start = value
        elif f.type == WINDOW_UPDATE:
            increment = int.from_bytes(f.payload[:4], "big") & 0x7FFFFFFF
            if f.stream == 0:
                conn_window += increment
            else:
                windows[f.stream] = windows.get(f.stream, stream_start) + increment
            if body_stream:
                updates.append(WindowUpdate(f.stream, increment, sent, time.monotonic() - started))
        elif f.type == HEADERS:
            windows.setdefault(f.stream, stream_start)
            if body_stream:
                peer.send(ok_response(f.stream))
            else:
                body_stream = f.stream
                peer.send(frame(HEADERS, END_HEADERS, f.stream, _content_headers(size)))

    while not body_stream:
        f = peer.read_frame()
        if f is None:
            return updates
        absorb(f)
    started = time.monotonic()
    piece = b" " * DATA_FRAME  # text, so a browser shows it rather than sniff a download
    while sent < size:
        room = min(conn_window, windows[body_stream], DATA_FRAME, size - sent)
        if room <= 0:
            f = peer.read_frame()  # blocked by flow control: wait for the client's credit
            if f is None:
                return updates
            absorb(f)
            continue
        if sent // DATA_FRAME % 16 == 0:
            _absorb_waiting(peer, absorb)
        sent += room
        conn_window -= room
        windows[body_stream] -= room
        peer.send(frame(DATA, END_STREAM if sent == size else 0, body_stream, piece[:room]))
    # The client's last acknowledgements, until it closes the connection.
    peer.conn.settimeout(2)
    try:
        while (f := peer.read_frame()) is not None:
            absorb(f)
    except OSError:
        pass
    return updates


def _absorb_waiting(peer: Peer, absorb: Any) -> None:
    """Read the frames that already arrived, without waiting for more."""
    while peer.conn.pending() or select.select([peer.conn], [], [], 0)[0]:
        f = peer.read_frame()
        if f is None:
            return
        absorb(f)
