"""Redirect history keeps each hop's status, reason, protocol, URL and its headers up to a
bound (64 KiB a hop, Location always): a chain of hops with huge headers stays small."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import httpcloak

HOPS = 30
FAT_HEADER = "x" * (9 << 20)  # under the engine's 10 MiB limit for HTTP/1.1 headers
HOP_HEADER_BUDGET = 64 << 10
PEAK_GROWTH_BOUND_MIB = 200  # all hops kept whole: over 2 GiB


class _FatRedirects(BaseHTTPRequestHandler):
    """GET /hop/<n>: 302 to /hop/<n-1> with a cookie, a small header and (unless the
    path says /thin/) a 9 MiB one; /hop/0 answers 200."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        n = int(self.path.rsplit("/", 1)[1])
        if n == 0:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            return
        self.send_response(302, "Found Elsewhere")
        self.send_header("Location", self.path.rsplit("/", 1)[0] + f"/{n - 1}")
        self.send_header("Set-Cookie", f"hop{n}=seen; Path=/")
        if "/thin/" not in self.path:
            self.send_header("X-Fat", FAT_HEADER)
        self.send_header("X-Small", "kept")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fat_redirects() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FatRedirects)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_hop_keeps_its_shape_and_small_headers(fat_redirects: str) -> None:
    with httpcloak.Session() as s:
        r = s.get(f"{fat_redirects}/hop/3")
        assert r.status_code == 200 and r.content == b"ok"
        assert [h.status_code for h in r.history] == [302, 302, 302]
        assert [h.url for h in r.history] == [f"{fat_redirects}/hop/{n}" for n in (3, 2, 1)]
        for n, hop in zip((3, 2, 1), r.history, strict=True):
            assert hop.reason == "Found Elsewhere" and hop.protocol == "h1"
            assert hop.is_redirect and hop.headers["location"] == f"/hop/{n - 1}"
            assert hop.headers["x-small"] == "kept"
            assert hop.cookies == {f"hop{n}": "seen"}
            assert "x-fat" not in hop.headers  # over the hop's budget: dropped
        # Every hop's cookie reached the jar all the same.
        assert {"hop1", "hop2", "hop3"} <= set(dict(s.cookies))
        thin = s.get(f"{fat_redirects}/thin/hop/1")
        assert thin.history[0].headers["x-small"] == "kept"


# VmHWM of a fresh process (see test_memory.py): the Go heap is counted too.
FOLLOW_AND_REPORT_RSS = """
import re, sys, httpcloak
def peak_mib():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)) // 1024
with httpcloak.Session() as s:
    s.get(sys.argv[1] + "/hop/0")
    before = peak_mib()
    r = s.get(sys.argv[1] + "/hop/" + sys.argv[2])
    kept = sum(len(k) + len(v) for hop in r.history for k, v in hop.headers.multi_items())
    print(len(r.history), kept, peak_mib() - before)
"""


def test_many_hops_with_huge_headers_keep_memory_bounded(fat_redirects: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FOLLOW_AND_REPORT_RSS, fat_redirects, str(HOPS)],
        capture_output=True,
        text=True,
        timeout=110,
        check=True,
    )
    hops, kept, growth_mib = map(int, done.stdout.split())
    assert hops == HOPS
    assert kept <= HOPS * HOP_HEADER_BUDGET
    assert growth_mib < PEAK_GROWTH_BOUND_MIB, (
        f"peak RSS grew {growth_mib} MiB following {HOPS} hops of 9 MiB headers"
    )
