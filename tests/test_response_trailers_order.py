"""Responses as they came: headers in the order received and each name's casing as the
server wrote it (r.headers, r.header_order, r.header_casing), and trailer fields (HTTP/1.1
chunked, HTTP/2 and HTTP/3) in r.trailers once the body is read, on buffered responses,
streams, AsyncSession and get_fast()."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
from hypercorn_server import serve_hypercorn

import httpcloak

from raw_h2 import DATA, END_HEADERS, END_STREAM, HEADERS, Peer, RawH2Server, frame, literal
from servers import TestServer

# Not sorted, mixed case, a repeated name split by another: a map would lose all of it.
H1_HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"X-Zeta: 1\r\n"
    b"content-TYPE: text/plain\r\n"
    b"X-Alpha: a\r\n"
    b"Set-Cookie: one=1\r\n"
    b"X-Middle: m\r\n"
    b"set-cookie: two=2\r\n"
    b"Trailer: X-Checksum, X-Count\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"\r\n"
)
H1_BODY = b"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc123\r\nX-Count: 2\r\n\r\n"
H1_ORDER = [
    "x-zeta",
    "content-type",
    "x-alpha",
    "set-cookie",
    "x-middle",
]  # Transfer-Encoding and Trailer describe the framing: not handed over, as before


@pytest.fixture(scope="module")
def h1_server() -> Iterator[str]:
    """A raw HTTP/1.1 server answering every request with H1_HEAD and H1_BODY."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            data = b""
            while not stop.is_set():
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
                while b"\r\n\r\n" in data:
                    _, data = data.split(b"\r\n\r\n", 1)
                    conn.sendall(H1_HEAD + H1_BODY)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()


def test_h1_headers_in_received_order_with_casing(h1_server: str) -> None:
    with httpcloak.Session() as s:
        r = s.get(h1_server)
    assert r.text == "hello world"
    assert r.header_order == H1_ORDER
    assert [n for n, _ in r.headers.multi_items()] == [
        "x-zeta",
        "content-type",
        "x-alpha",
        "set-cookie",
        "x-middle",
        "set-cookie",
    ]
    assert r.headers.get_all("set-cookie") == ["one=1", "two=2"]
    assert r.header_casing["content-type"] == "content-TYPE"
    assert r.header_casing["x-zeta"] == "X-Zeta"
    assert r.header_casing["set-cookie"] == "Set-Cookie"  # the first one's


def test_h1_chunked_trailers(h1_server: str) -> None:
    with httpcloak.Session() as s:
        r = s.get(h1_server)
        assert dict(r.trailers.items()) == {"x-checksum": "abc123", "x-count": "2"}
        assert r.trailer["X-Checksum"] == "abc123"
        with s.get(h1_server, stream=True) as st:
            assert len(st.trailers) == 0  # not before the end of the body
            assert b"".join(st.iter_bytes()) == b"hello world"
            assert st.trailers["x-count"] == "2"
        assert s.get_fast(h1_server).trailers["x-checksum"] == "abc123"

    async def main() -> None:
        async with httpcloak.AsyncSession() as a:
            r = await a.get(h1_server)
            assert r.trailers["x-checksum"] == "abc123"
            async with a.stream("GET", h1_server) as st:
                await st.aread()
                assert st.trailers["x-count"] == "2"

    asyncio.run(main())


def _h2_handler(peer: Peer, index: int) -> None:
    peer.handshake()
    while (f := peer.next_frame()) is not None:
        if f.type != HEADERS:
            continue
        block = (
            b"\x88"  # :status 200
            + literal(b"x-zeta", b"1")
            + literal(b"content-type", b"text/plain")
            + literal(b"x-alpha", b"a")
            + literal(b"trailer", b"grpc-status")
        )
        peer.send(frame(HEADERS, END_HEADERS, f.stream, block))
        peer.send(frame(DATA, 0, f.stream, b"h2 body"))
        tail = literal(b"grpc-status", b"0") + literal(b"grpc-message", b"fine")
        peer.send(frame(HEADERS, END_HEADERS | END_STREAM, f.stream, tail))


def test_h2_order_and_trailers(server: TestServer) -> None:
    with RawH2Server(server.server_pem, _h2_handler) as raw:
        with httpcloak.Session(verify=server.ca, http_version="h2") as s:
            r = s.get(raw.url)
            assert r.protocol == "h2" and r.text == "h2 body"
            assert r.header_order == ["x-zeta", "content-type", "x-alpha"]
            assert r.header_casing["content-type"] == "content-type"
            assert dict(r.trailers.items()) == {"grpc-status": "0", "grpc-message": "fine"}
        assert raw.errors == []


def test_no_trailers_is_empty_and_test_server_order(server: TestServer) -> None:
    with httpcloak.Session() as s:
        r = s.get(f"{server.http}/get")
    assert len(r.trailers) == 0
    assert r.header_order == list(dict.fromkeys(n for n, _ in r.headers.multi_items()))


async def _ordered_app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
    """ASGI: response headers not in name order."""
    assert scope["type"] == "http"
    headers = [(b"x-zeta", b"1"), (b"content-type", b"text/plain"), (b"x-alpha", b"a")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"h3 body"})  # type: ignore[operator]


def test_h3_headers_in_received_order(server: TestServer) -> None:
    with (
        serve_hypercorn(_ordered_app, server.server_pem, quic=True) as served,
        httpcloak.Session(verify=server.ca, http_version="h3") as s,
    ):
        url = f"https://127.0.0.1:{served.udp_port}/"
        for _ in range(3):  # the server's order on every response, not a map's
            r = s.get(url)
            assert r.protocol == "h3" and r.text == "h3 body"
            # hypercorn adds its own (date, server, alt-svc) after the application's
            assert r.header_order[:3] == ["x-zeta", "content-type", "x-alpha"]
            assert r.header_casing["content-type"] == "content-type"


@pytest.mark.parametrize("protocol", ["h1", "h2", "h3"])
def test_trailers_on_every_protocol(server: TestServer, protocol: str) -> None:
    base = {"h1": server.http, "h2": server.https, "h3": server.h3}[protocol]
    url = f"{base}/trailers?body=abc"
    with httpcloak.Session(verify=server.ca, http_version=protocol) as s:
        r = s.get(url)
        assert r.protocol == protocol and r.text == "abc"
        assert dict(r.trailers.items()) == {"x-checksum": "len-3", "x-count": "1"}
        with s.get(url, stream=True) as st:
            assert b"".join(st.iter_bytes()) == b"abc"
            assert st.trailers["x-checksum"] == "len-3"
