"""tcp_ttl, tcp_mss, tcp_window_size, tcp_window_scale, tcp_df: set on every TCP socket the
session dials (the socket to a proxy included), before connect, so the SYN carries them.

Two ways to see them on loopback: read the options back from the session's own socket (it
lives in this process) while a small server answers, and, where this process may open a
packet socket (CAP_NET_RAW), read the SYN itself off the loopback interface."""

from __future__ import annotations

import contextlib
import ctypes
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import httpcloak

from servers import TestServer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the tcp_* options are Linux only")

IP_MTU_DISCOVER, IP_PMTUDISC_DONT, IP_PMTUDISC_DO = 10, 0, 2


class _Answerer:
    """An HTTP/1.1 server on 127.0.0.1 that, for each request, reads the options of the
    client's socket (found in this process by its address) and the window scale the
    client's SYN announced (TCP_INFO of the accepted socket)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, peer = self.listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                info = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
                seen = {"peer_wscale": info[6] & 0x0F, **_client_socket_options(peer, self.port)}
                self.seen.append(seen)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    def close(self) -> None:
        self.listener.close()


def _client_socket_options(client: tuple[str, int], server_port: int) -> dict[str, int]:
    """getsockopt on the socket of this process connected from `client` to server_port."""
    for name in os.listdir("/proc/self/fd"):
        try:
            probe = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        with probe:
            try:
                if probe.getsockname() != client or probe.getpeername()[1] != server_port:
                    continue
            except OSError:
                continue
            return {
                "ttl": probe.getsockopt(socket.IPPROTO_IP, socket.IP_TTL),
                "mss": probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG),
                "rcvbuf": probe.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
                "pmtudisc": probe.getsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER),
            }
    raise AssertionError(f"no socket of this process from {client}")


@pytest.fixture
def answerer() -> Iterator[_Answerer]:
    a = _Answerer()
    yield a
    a.close()


def test_options_are_set_on_the_socket(answerer: _Answerer) -> None:
    with httpcloak.Session(tcp_ttl=77, tcp_mss=1200, tcp_window_size=32000, tcp_df=False) as s:
        assert s.get(f"http://127.0.0.1:{answerer.port}/").text == "ok"
    [seen] = answerer.seen
    assert seen["ttl"] == 77
    assert 1200 - 40 <= seen["mss"] <= 1200  # the MSS in use: ours less the TCP options
    assert seen["rcvbuf"] == 2 * 32000  # Linux doubles SO_RCVBUF for its bookkeeping
    assert seen["pmtudisc"] == IP_PMTUDISC_DONT
    assert seen["peer_wscale"] == 0  # a locked 32 KB buffer needs no scale


def test_window_scale_is_what_the_server_sees(answerer: _Answerer) -> None:
    with httpcloak.Session(tcp_window_scale=3, tcp_df=True) as s:
        s.get(f"http://127.0.0.1:{answerer.port}/")
    with httpcloak.Session() as s:
        s.get(f"http://127.0.0.1:{answerer.port}/")
    ours, default = answerer.seen
    assert ours["peer_wscale"] == 3 and default["peer_wscale"] != 3
    assert ours["pmtudisc"] == IP_PMTUDISC_DO


def test_without_options_the_kernel_decides(answerer: _Answerer) -> None:
    with socket.socket() as plain:
        kernel_ttl = plain.getsockopt(socket.IPPROTO_IP, socket.IP_TTL)
    with httpcloak.Session() as s:
        s.get(f"http://127.0.0.1:{answerer.port}/")
    assert answerer.seen[0]["ttl"] == kernel_ttl


# ---- the SYN itself, read off the loopback interface -------------------------------------


SO_ATTACH_FILTER = 26  # linux/asm-generic/socket.h


def _syn_filter(port: int) -> list[tuple[int, int, int, int]]:
    """Classic BPF, as tcpdump compiles "ip and tcp dst port PORT and tcp[13] & 0x12 == 2"
    for an Ethernet frame (lo has a zeroed one): the kernel then queues only those SYNs."""
    return [
        (0x28, 0, 0, 12),  # ldh [12]: the EtherType
        (0x15, 0, 11, 0x0800),  # IPv4, else drop
        (0x30, 0, 0, 23),  # ldb [23]: the IP protocol
        (0x15, 0, 9, socket.IPPROTO_TCP),
        (0x28, 0, 0, 20),  # ldh [20]: the fragment offset
        (0x45, 7, 0, 0x1FFF),  # a later fragment: drop
        (0xB1, 0, 0, 14),  # x = the IP header's length
        (0x48, 0, 0, 16),  # ldh [x+16]: the TCP destination port
        (0x15, 0, 4, port),
        (0x50, 0, 0, 27),  # ldb [x+27]: the TCP flags
        (0x54, 0, 0, 0x12),  # SYN and ACK bits
        (0x15, 0, 1, 0x02),  # SYN alone: keep
        (0x06, 0, 0, 0xFFFF),
        (0x06, 0, 0, 0),
    ]


def _packet_socket(port: int) -> socket.socket:
    """A packet socket on lo that the kernel hands only SYNs to port: the gigabytes other
    tests (and benchmarks) push through loopback can neither fill it nor crowd the SYN out."""
    try:
        sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    except PermissionError:
        pytest.fail(
            "reading the SYN off the loopback interface needs CAP_NET_RAW: run the tests as "
            "root (as .ci/run does) or grant the capability to the Python binary"
        )
    program = b"".join(struct.pack("HBBI", *op) for op in _syn_filter(port))
    code = ctypes.create_string_buffer(program)
    fprog = struct.pack("HL", len(program) // 8, ctypes.addressof(code))  # struct sock_fprog
    sniffer.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    sniffer.bind(("lo", 0))
    sniffer.setblocking(False)
    with contextlib.suppress(BlockingIOError):  # what came before the filter held
        while sniffer.recv(65535):
            pass
    return sniffer


@contextmanager
def _syn_to(port: int) -> Iterator[dict[str, Any]]:
    """The first SYN to 127.0.0.1:port sent inside the block: TTL, DF, window, MSS, scale.
    A thread reads the interface while the block runs, so other loopback traffic (tests
    running alongside) cannot fill the socket's buffer and crowd the SYN out."""
    found: dict[str, Any] = {}
    seen = threading.Event()
    with _packet_socket(port) as sniffer:
        sniffer.settimeout(0.1)

        def watch() -> None:
            deadline = time.monotonic() + 30
            while not seen.is_set() and time.monotonic() < deadline:
                try:
                    packet = sniffer.recv(65535)[14:]  # past the Ethernet header
                except TimeoutError:
                    continue
                except OSError:
                    return  # the socket closed: the block failed
                syn = _syn_of(packet, port)
                if syn is not None:
                    found.update(syn)
                    seen.set()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        yield found
        assert seen.wait(30), f"no SYN to port {port} seen on lo"
        watcher.join()


def _syn_of(packet: bytes, port: int) -> dict[str, Any] | None:
    """The fields of packet if it is a SYN (without ACK) to port, else None."""
    if len(packet) < 40 or packet[9] != socket.IPPROTO_TCP:
        return None
    tcp = packet[(packet[0] & 0x0F) * 4 :]
    if struct.unpack("!H", tcp[2:4])[0] != port or tcp[13] & 0x12 != 0x02:
        return None
    return {
        "ttl": packet[8],
        "df": bool(struct.unpack("!H", packet[6:8])[0] & 0x4000),
        "window": struct.unpack("!H", tcp[14:16])[0],
        **_syn_options(tcp[20 : (tcp[12] >> 4) * 4]),
    }


def _syn_options(options: bytes) -> dict[str, int]:
    out, i = {}, 0
    while i < len(options) and options[i] != 0:
        kind = options[i]
        if kind == 1:  # no-op padding
            i += 1
            continue
        if kind == 2:
            out["mss"] = struct.unpack("!H", options[i + 2 : i + 4])[0]
        elif kind == 3:
            out["scale"] = options[i + 2]
        i += options[i + 1]
    return out


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


WINDOWS_SYN: dict[str, Any] = {
    "tcp_ttl": 128,
    "tcp_mss": 1460,
    "tcp_window_scale": 8,
    "tcp_df": True,
}


def test_the_syn_carries_them_over_https_h2(server: TestServer) -> None:
    with (
        _syn_to(_port(server.https)) as syn,
        httpcloak.Session(verify=server.ca, http_version="h2", **WINDOWS_SYN) as s,
    ):
        assert s.get(f"{server.https}/get").protocol == "h2"
    # Windows' SYN: TTL 128, MSS 1460, window 64240 (44 segments), scale 8, DF.
    assert syn == {"ttl": 128, "df": True, "window": 64240, "mss": 1460, "scale": 8}


def test_the_syn_carries_the_window_size(answerer: _Answerer) -> None:
    with (
        _syn_to(answerer.port) as syn,
        httpcloak.Session(tcp_mss=1000, tcp_window_size=20000, tcp_df=False) as s,
    ):
        s.get(f"http://127.0.0.1:{answerer.port}/")
    # The window is the buffer rounded down to whole segments; no scale is needed.
    assert syn == {"ttl": syn["ttl"], "df": False, "window": 20000, "mss": 1000, "scale": 0}


@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_the_syn_to_a_proxy_carries_them(server: TestServer, kind: str) -> None:
    proxy = server.proxy_url(kind)
    with (
        _syn_to(_port(proxy)) as syn,
        httpcloak.Session(proxy=proxy, verify=server.ca, **WINDOWS_SYN) as s,
    ):
        assert s.get(f"{server.https}/get").ok
    assert syn["ttl"] == 128 and syn["mss"] == 1460 and syn["scale"] == 8


# ---- refused values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tcp_ttl": 0}, "tcp_ttl must be between 1 and 255"),
        ({"tcp_ttl": 256}, "tcp_ttl must be between 1 and 255"),
        ({"tcp_mss": 40}, "tcp_mss must be between 88 and 32767"),
        ({"tcp_window_size": 70000}, "tcp_window_size must be between 1 and 65535"),
        ({"tcp_window_scale": 15}, "tcp_window_scale must be between 0 and 14"),
        ({"tcp_window_size": 64240, "tcp_window_scale": 8}, "cannot both be honoured"),
        ({"tcp_ttl": 64, "http_version": "h3"}, "QUIC runs over UDP"),
    ],
)
def test_bad_values_are_invalid_arguments(options: dict[str, Any], message: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=message):
        httpcloak.Session(**options)


@pytest.mark.parametrize("options", [{"tcp_ttl": "64"}, {"tcp_mss": 1460.0}, {"tcp_df": 1}])
def test_wrong_types_are_type_errors(options: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        httpcloak.Session(**options)


def test_a_scale_beyond_the_kernels_largest_buffer_is_refused() -> None:
    rmem = max(
        int(Path("/proc/sys/net/core/rmem_max").read_text()),
        int(Path("/proc/sys/net/ipv4/tcp_rmem").read_text().split()[-1]),
    )
    most = min(rmem.bit_length() - 1 - 15, 14)
    if most >= 14:  # every scale fits this kernel's buffers: the largest is taken
        httpcloak.Session(tcp_window_scale=14).close()
        return
    with pytest.raises(httpcloak.InvalidArgument, match=f"at most scale {most}"):
        httpcloak.Session(tcp_window_scale=most + 1)
