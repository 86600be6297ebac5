"""ICMP errors on a QUIC connection's own UDP socket (Chrome presets, Linux), sent for real:
the test crafts the ICMP message a router or the server's kernel would send about one of the
connection's datagrams and hands it to the loopback interface through a raw socket.

- "Port unreachable" means the server's QUIC listener is gone: the connection ends at once,
  and the next request makes a new one instead of waiting out the idle timeout.
- "Fragmentation needed" (what path MTU discovery's probes get back on a narrower path) is no
  reason to close: the connection carries on, as without the ICMP error.
"""

from __future__ import annotations

import socket
import struct
import time

import pytest

import httpcloak

from servers import TestServer

PORT_UNREACHABLE, FRAGMENTATION_NEEDED = 3, 4  # ICMP type 3 (destination unreachable) codes


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _send_unreachable(code: int, client_port: int, server_port: int) -> None:
    """An ICMP destination-unreachable about a datagram 127.0.0.1:client_port ->
    127.0.0.1:server_port, as the kernel reads it: the datagram's IP header and first 8 bytes."""
    loopback = socket.inet_aton("127.0.0.1")
    quoted_ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 1228, 0, 0x4000, 64, 17, 0, loopback, loopback
    )
    quoted_udp = struct.pack("!HHHH", client_port, server_port, 1208, 0)
    mtu = 1200 if code == FRAGMENTATION_NEEDED else 0
    body = struct.pack("!HH", 0, mtu) + quoted_ip + quoted_udp
    header = struct.pack("!BBH", 3, code, 0)
    packet = struct.pack("!BBH", 3, code, _checksum(header + body)) + body
    try:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    except PermissionError:
        pytest.fail(
            "sending an ICMP message needs CAP_NET_RAW: run the tests as root (as .ci/run "
            "does) or grant the capability to the Python binary"
        )
    with raw:
        raw.sendto(packet, ("127.0.0.1", 0))


def _whoami(s: httpcloak.Session, server: TestServer) -> tuple[int, int]:
    """(the test server's id of the QUIC connection, the client's UDP port)."""
    r = s.get(f"{server.h3}/whoami")
    assert r.protocol == "h3"
    info = r.json()
    return info["conn_id"], int(info["remote"].rsplit(":", 1)[1])


def test_port_unreachable_ends_the_connection_at_once(server: TestServer) -> None:
    server_port = int(server.h3.rsplit(":", 1)[1])
    with httpcloak.Session("chrome-latest", verify=server.ca, http_version="h3") as s:
        conn, client_port = _whoami(s, server)
        _send_unreachable(PORT_UNREACHABLE, client_port, server_port)
        # The kernel fails the socket's next read: the connection ends, and a new request
        # makes a new connection (the server is still there) instead of hanging.
        deadline = time.monotonic() + 10
        while (now := _whoami(s, server))[0] == conn:
            assert time.monotonic() < deadline, "the connection outlived its ICMP error"
            time.sleep(0.05)
        assert now[1] != client_port  # a socket of its own, as Chromium


def test_fragmentation_needed_keeps_the_connection(server: TestServer) -> None:
    server_port = int(server.h3.rsplit(":", 1)[1])
    with httpcloak.Session("chrome-latest", verify=server.ca, http_version="h3") as s:
        conn, client_port = _whoami(s, server)
        for _ in range(3):
            _send_unreachable(FRAGMENTATION_NEEDED, client_port, server_port)
            time.sleep(0.05)  # the kernel reports it on the socket's next read
            assert _whoami(s, server) == (conn, client_port)
        body = s.get(f"{server.h3}/bytes/200000").content
        assert len(body) == 200000
        assert _whoami(s, server) == (conn, client_port)
