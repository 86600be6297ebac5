"""What the requests and httpx adapter tests share: the browser's wire identity as the
test server saw it, a port nobody listens on, and a streamed body's peak memory measured
in a fresh process."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

import httpcloak

from servers import TestServer

PRESET = "chrome-latest"
PEAK_RSS_BOUND_MIB = 160  # the interpreter with requests and httpx loaded is about 60 MiB
STREAM_SIZE = 512 << 20  # well past the bound: a body held whole would show


def fingerprint_url(server: TestServer) -> str:
    # By host name, so SNI is sent as a browser sends it.
    return server.https.replace("127.0.0.1", "localhost") + "/fingerprint"


def httpcloak_identity(server: TestServer) -> dict[str, Any]:
    """What a plain httpcloak session of the preset sends to /fingerprint."""
    with httpcloak.Session(PRESET, verify=server.ca) as s:
        seen: dict[str, Any] = s.get(fingerprint_url(server)).json()
    return seen


def assert_same_identity(seen: dict[str, Any], expected: dict[str, Any]) -> None:
    """TLS and HTTP/2 fingerprint, header order and the browser's own header values."""
    assert seen["proto"] == "HTTP/2.0"
    assert seen["sni"] == "localhost"
    for key in ("ja4", "akamai", "header_order"):
        assert seen[key] == expected[key], key
    for name in ("User-Agent", "Accept", "Accept-Encoding", "Sec-Ch-Ua"):
        assert seen["headers"][name] == expected["headers"][name], name
    assert "Connection" not in seen["headers"]


def refused_url() -> str:
    """A loopback URL whose port was just free: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/get"


def peak_rss_streaming(script: str, url: str, ca: str) -> tuple[int, int]:
    """Run script (argv: url, ca; prints the byte count) in a fresh interpreter; the bytes
    it streamed and its peak RSS in MiB."""
    report = (
        script
        + "\nimport re\n"
        + "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
        + "print(total, peak // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", report, url, ca],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    total, peak_mib = map(int, done.stdout.split())
    return total, peak_mib
