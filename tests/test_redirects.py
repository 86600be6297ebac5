"""Redirects: which are followed and how (methods, bodies, limits, credentials and cookies
kept to their origin, the session's redirect settings); the history keeps each hop's
status, reason, protocol, URL and its headers up to a bound (64 KiB a hop, Location
always), so a chain of hops with huge headers stays small; a malformed Location is handed
over as it came when not followed, and fails with a ProtocolError naming it when followed."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest

import httpcloak

from servers import TestServer

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


# ---- malformed Location ------------------------------------------------------------------


MALFORMED = ["http://[::1", "http://a b/"]


@pytest.fixture
def raw_redirect() -> Iterator[Callable[[str], str]]:
    """A one-connection HTTP/1.1 server answering 302 with the Location bytes as given
    (no server library in between to tidy them)."""
    sockets: list[socket.socket] = []

    def serve(location: str) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        sockets.append(listener)

        def answer() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 302 Found\r\nLocation: "
                    + location.encode()
                    + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )

        threading.Thread(target=answer, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}/start"

    yield serve
    for listener in sockets:
        listener.close()


@pytest.mark.parametrize("location", MALFORMED)
def test_unfollowed_malformed_location_is_returned_as_sent(
    raw_redirect: Callable[[str], str], location: str
) -> None:
    with httpcloak.Session() as s:
        r = s.get(raw_redirect(location), allow_redirects=False)
        assert r.status_code == 302
        assert r.headers["location"] == location
        assert r.headers.get_all("location") == [location]
        with pytest.raises(httpcloak.ProtocolError, match="Location") as failure:
            s.get(raw_redirect(location))
        assert location in str(failure.value)


@pytest.mark.parametrize("location", MALFORMED)
@pytest.mark.parametrize("protocol", ["h1", "h2", "h3"])
def test_every_protocol_returns_the_malformed_location(
    server: TestServer, protocol: str, location: str
) -> None:
    base = {"h1": server.http, "h2": server.https, "h3": server.h3}[protocol]
    if not base:
        pytest.skip("the test server has no HTTP/3 listener")
    url = f"{base}/redirect-to?url={quote(location)}&status_code=302"
    version = "h3" if protocol == "h3" else "auto"
    with httpcloak.Session(verify=server.ca, http_version=version) as s:
        with s.get(url, allow_redirects=False, stream=True) as streamed:
            assert (streamed.protocol, streamed.status_code) == (protocol, 302)
            assert streamed.headers["location"] == location
        with pytest.raises(httpcloak.ProtocolError, match="redirect Location"):
            s.get(url)

    async def unfollowed() -> str:
        async with httpcloak.AsyncSession(verify=server.ca, http_version=version) as s:
            r = await s.get(url, allow_redirects=False)
            return r.headers["location"]

    assert asyncio.run(unfollowed()) == location


# ---- following ---------------------------------------------------------------------------


def test_too_many_redirects(session: httpcloak.Session, base_url: str) -> None:
    with pytest.raises(httpcloak.TooManyRedirects, match="exceeded 3 redirects"):
        session.get(f"{base_url}/redirect/5", max_redirects=3)
    r = session.get(f"{base_url}/redirect/3", max_redirects=3)
    assert r.status_code == 200 and len(r.history) == 3


@pytest.mark.parametrize(
    ("code", "method", "body_kept"),
    [
        (301, "GET", False),
        (302, "GET", False),
        (303, "GET", False),
        (307, "POST", True),
        (308, "POST", True),
    ],
)
def test_redirect_methods_and_bodies(
    session: httpcloak.Session, server: TestServer, code: int, method: str, body_kept: bool
) -> None:
    url = f"{server.http}/redirect-to?url=/anything&status_code={code}"
    with session.post(url, data=b"payload", stream=True) as r:
        echoed = r.json()
    assert echoed["method"] == method
    assert echoed["body_len"] == (7 if body_kept else 0)
    assert r.history[0].status_code == code


def test_authorization_is_not_forwarded_to_another_host(
    session: httpcloak.Session, server: TestServer
) -> None:
    port = server.http.rsplit(":", 1)[1]
    same_host = f"{server.http}/redirect-to?url=/headers"
    other_host = f"{server.http}/redirect-to?url=http://localhost:{port}/headers"
    kept = session.get(same_host, headers={"Authorization": "Bearer t"}).json()["headers"]
    dropped = session.get(other_host, headers={"Authorization": "Bearer t"}).json()["headers"]
    assert kept.get("Authorization") == ["Bearer t"]
    assert "Authorization" not in dropped


def test_credentials_and_own_cookies_stay_with_their_origin(
    session: httpcloak.Session, server: TestServer
) -> None:
    # As requests: a downgrade from https, or another port, is another origin.
    from urllib.parse import quote

    def sent_after(start: str, target: str, **options: object) -> dict[str, list[str]]:
        url = f"{start}/redirect-to?url={quote(target, safe='')}"
        headers: dict[str, list[str]] = session.get(url, **options).json()["headers"]  # type: ignore[call-overload]
        return headers

    downgrade = sent_after(server.https, f"{server.http}/headers", auth=("user", "pass"))
    assert "Authorization" not in downgrade
    port = server.http.rsplit(":", 1)[1]
    moved = sent_after(server.http, f"http://localhost:{port}/headers", cookies={"sid": "SECRET"})
    assert "Cookie" not in moved
    same = sent_after(server.http, "/headers", cookies={"sid": "kept"}, auth=("u", "p"))
    assert same["Cookie"] == ["sid=kept"] and "Authorization" in same


def test_a_stalled_redirect_body_does_not_hold_up_the_redirect(
    session: httpcloak.Session, server: TestServer
) -> None:
    started = time.monotonic()
    url = f"{server.http}/redirect-to?url=/get&stall=1"
    with session.get(url, stream=True, timeout=httpcloak.Timeout(connect=None, read=10)) as r:
        assert r.status_code == 200 and r.json()["path"] == "/get"
    assert time.monotonic() - started < 5


def test_redirect_not_followed_when_disallowed(session: httpcloak.Session, base_url: str) -> None:
    url = f"{base_url}/redirect-with-cookie?to=/cookies&hop=2"
    with session.get(url, stream=True, allow_redirects=False) as r:
        assert r.status_code == 302
        assert r.is_redirect
    assert session.cookies["hop"] == "2"


def test_redirect_settings_follow_the_upstream_names(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.set_follow_redirects(False)
        assert s.get_follow_redirects() is False
        assert s.get(f"{server.http}/redirect/1").status_code == 302
        s.set_follow_redirects(True)
        s.set_max_redirects(1)
        assert s.get_max_redirects() == 1
        with pytest.raises(httpcloak.TooManyRedirects):
            s.get(f"{server.http}/redirect/2")
        with pytest.raises(httpcloak.InvalidArgument):
            s.set_max_redirects(-1)
