"""A raw HTTP/2 server on loopback for the cases no well-behaved server produces: a GOAWAY
at a chosen stream, an endless header block, a close look at how a request body ended.

Each connection runs `handler(peer, index)` in its own thread over TLS (ALPN h2) with the
test server's certificate, so sessions trusting `TestServer.ca` accept it. Frames are read
and written by hand; responses use only HPACK's static table, so the client's header blocks
need no decoding.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS = 0x0, 0x1, 0x2, 0x3, 0x4
PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0x6, 0x7, 0x8, 0x9
END_STREAM = ACK = 0x1
END_HEADERS = 0x4

SETTINGS_MAX_CONCURRENT_STREAMS = 0x3
SETTINGS_INITIAL_WINDOW_SIZE = 0x4

STATUS_200 = b"\x88"  # HPACK: static table entry 8, ":status: 200"
BIG_WINDOW = 1 << 30  # so a client never waits for flow control credit


@dataclass
class Frame:
    type: int
    flags: int
    stream: int
    payload: bytes


def frame(type: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", type, flags, stream) + payload


def settings(values: dict[int, int]) -> bytes:
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in values.items()))


def goaway(last_stream: int, code: int = 0) -> bytes:
    return frame(GOAWAY, 0, 0, struct.pack(">II", last_stream, code))


def literal(name: bytes, value: bytes) -> bytes:
    """An HPACK literal header field without indexing, new name (no Huffman)."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def ok_response(stream: int) -> bytes:
    """A 200 with no body."""
    return frame(HEADERS, END_HEADERS | END_STREAM, stream, STATUS_200)


class Peer:
    """One client connection, seen from the server."""

    def __init__(self, conn: ssl.SSLSocket) -> None:
        self.conn = conn

    def handshake(self, server_settings: dict[int, int] | None = None) -> None:
        """Read the client's preface; send our SETTINGS and a large connection window."""
        if self._read_exactly(len(PREFACE)) != PREFACE:
            raise ConnectionError("not an HTTP/2 client preface")
        values = {SETTINGS_INITIAL_WINDOW_SIZE: BIG_WINDOW, **(server_settings or {})}
        window = struct.pack(">I", BIG_WINDOW - 65535)
        self.send(settings(values) + frame(WINDOW_UPDATE, 0, 0, window))

    def next_frame(self) -> Frame | None:
        """The next frame that is not connection housekeeping (SETTINGS and PING are
        acknowledged, WINDOW_UPDATE and PRIORITY skipped); None once the client is gone."""
        while (f := self.read_frame()) is not None:
            if f.type not in (SETTINGS, PING, WINDOW_UPDATE, PRIORITY):
                return f
        return None

    def read_frame(self) -> Frame | None:
        """The next frame, whatever it is (SETTINGS and PING are acknowledged)."""
        head = self._read_exactly(9)
        if len(head) < 9:
            return None
        length = int.from_bytes(head[:3], "big")
        type, flags = head[3], head[4]
        stream = int.from_bytes(head[5:9], "big") & 0x7FFFFFFF
        payload = self._read_exactly(length)
        if len(payload) < length:
            return None
        if type == SETTINGS and not flags & ACK:
            self.send(frame(SETTINGS, ACK, 0))
        elif type == PING and not flags & ACK:
            self.send(frame(PING, ACK, 0, payload))
        return Frame(type, flags, stream, payload)

    def send(self, data: bytes) -> None:
        self.conn.sendall(data)

    def _read_exactly(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            try:
                chunk = self.conn.recv(n - len(out))
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        return bytes(out)


Handler = Callable[[Peer, int], None]


class RawH2Server:
    """Accepts TLS connections on 127.0.0.1; connection number `index` (from 0) is handed
    to `handler` in a thread of its own and closed when the handler returns."""

    def __init__(self, server_pem: str, handler: Handler) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(server_pem)
        self._context.set_alpn_protocols(["h2"])
        self._handler = handler
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.errors: list[BaseException] = []  # what a handler raised, for the test to see

    def __enter__(self) -> RawH2Server:
        accept = threading.Thread(target=self._accept_loop, name="raw-h2-accept", daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            conns = [self._listener, *self._conns]
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes accept() and recv() in the threads
        for thread in list(self._threads):
            thread.join(timeout=30)
        self._listener.close()

    def _accept_loop(self) -> None:
        index = 0
        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(raw)
                thread = threading.Thread(
                    target=self._serve, args=(raw, index), name=f"raw-h2-{index}", daemon=True
                )
                self._threads.append(thread)
            thread.start()
            index += 1

    def _serve(self, raw: socket.socket, index: int) -> None:
        try:
            with self._context.wrap_socket(raw, server_side=True) as conn:
                self._handler(Peer(conn), index)
                _close_gracefully(conn)
        except OSError:
            pass  # the client went away: handlers record what they need before that
        except BaseException as error:  # a broken handler must fail the test, not hide
            self.errors.append(error)
        finally:
            raw.close()


def _close_gracefully(conn: ssl.SSLSocket) -> None:
    """FIN after the last frame, then wait for the client to hang up: closing a socket
    with unread input sends RST, which can destroy frames the client has not read yet."""
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(10)
    while conn.recv(65536):
        pass
