"""ICMP errors on a QUIC connection's own UDP socket (Chrome presets, Linux), sent for real:
the test crafts the ICMP message a router or the server's kernel would send about one of the
connection's datagrams and hands it to the loopback interface through a raw socket.

- "Port unreachable" means the server's QUIC listener is gone: the connection ends at once,
  and the next request makes a new one instead of waiting out the idle timeout.
- "Fragmentation needed" (what path MTU discovery's probes get back on a narrower path) is no
  reason to close: the connection carries on, as without the ICMP error.

The kernel also records the MTU a "fragmentation needed" names for its destination (for ten
minutes, whatever socket it was about): the server here listens on an address of its own,
127.0.0.5, that no other test uses, and the MTU named is loopback's own, so nothing else on the
machine sees a change.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypercorn_server import serve_hypercorn

import httpcloak

from servers import TestServer

PORT_UNREACHABLE, FRAGMENTATION_NEEDED = 3, 4  # ICMP type 3 (destination unreachable) codes
SERVER_IP = "127.0.0.5"
LOOPBACK_MTU = 65535  # the largest an ICMP message can name; lo's is 65536


async def client_port(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with the client's UDP port: a new port is a new QUIC connection."""
    body = str(scope["client"][1]).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _send_unreachable(code: int, client_port: int, server_port: int) -> None:
    """An ICMP destination-unreachable about a datagram 127.0.0.1:client_port ->
    SERVER_IP:server_port, as the kernel reads it: the datagram's IP header and 8 bytes more."""
    source, destination = socket.inet_aton("127.0.0.1"), socket.inet_aton(SERVER_IP)
    quoted_ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 1228, 0, 0x4000, 64, 17, 0, source, destination
    )
    quoted_udp = struct.pack("!HHHH", client_port, server_port, 1208, 0)
    mtu = LOOPBACK_MTU if code == FRAGMENTATION_NEEDED else 0
    body = struct.pack("!HH", 0, mtu) + quoted_ip + quoted_udp
    packet = struct.pack("!BBH", 3, code, _checksum(struct.pack("!BBH", 3, code, 0) + body)) + body
    try:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    except PermissionError:
        pytest.fail(
            "sending an ICMP message needs CAP_NET_RAW: run the tests as root (as .ci/run "
            "does) or grant the capability to the Python binary"
        )
    with raw:
        raw.sendto(packet, ("127.0.0.1", 0))


@pytest.fixture
def quic_server(server: TestServer) -> Iterator[tuple[httpcloak.Session, str, int]]:
    """(a Chrome session speaking HTTP/3 to hypercorn on SERVER_IP, its URL, its UDP port)."""
    with serve_hypercorn(client_port, server.server_pem, quic=True, udp_host=SERVER_IP) as served:
        port = served.udp_port
        assert port is not None
        with httpcloak.Session(
            "chrome-latest",
            verify=server.ca,
            http_version="h3",
            connect_to={f"127.0.0.1:{port}": f"{SERVER_IP}:{port}"},
        ) as s:
            yield s, f"https://127.0.0.1:{port}/", port


def _port(s: httpcloak.Session, url: str) -> int:
    r = s.get(url)
    assert r.protocol == "h3"
    return int(r.text)


def test_port_unreachable_ends_the_connection_at_once(
    quic_server: tuple[httpcloak.Session, str, int],
) -> None:
    s, url, server_port = quic_server
    first = _port(s, url)
    _send_unreachable(PORT_UNREACHABLE, first, server_port)
    # The kernel fails the socket's next read or send: the connection ends, and a new
    # request makes a new connection (the server is still there) instead of hanging. A
    # request whose send met the error fails, saying why (it was not sent).
    deadline = time.monotonic() + 10
    while True:
        try:
            if _port(s, url) != first:
                break
        except httpcloak.ConnectError as error:
            assert "port unreachable" in str(error)
        assert time.monotonic() < deadline, "the connection outlived its ICMP error"
        time.sleep(0.05)


def test_fragmentation_needed_keeps_the_connection(
    quic_server: tuple[httpcloak.Session, str, int],
) -> None:
    s, url, server_port = quic_server
    first = _port(s, url)
    for _ in range(3):
        _send_unreachable(FRAGMENTATION_NEEDED, first, server_port)
        time.sleep(0.05)  # the kernel reports it on the socket's next read
        assert _port(s, url) == first
