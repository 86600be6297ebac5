"""Waiting for the response headers: over plain http://, and over an HTTP/2 connection
already open, the exchange runs on the waiting thread itself (no hand-off to the library's
threads), and that wait must answer Ctrl-C, other signal handlers, cancel and close exactly
as the wait for a goroutine does (a first https:// contact: the dial and the handshake).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import httpcloak

from servers import TestServer

SIGNAL_CHILD = textwrap.dedent(
    """
    import signal, sys, time, httpcloak
    handled = []
    signal.signal(signal.SIGUSR1, lambda *_: handled.append(time.monotonic()))
    s = httpcloak.Session(verify=sys.argv[2])
    if len(sys.argv) > 3:
        assert s.get(sys.argv[3]).protocol == "h2"  # the connection the wait happens on
    print("waiting", flush=True)
    try:
        r = s.get(sys.argv[1])
        # The handler ran while the request waited (well before its answer), once.
        during = len(handled) == 1 and time.monotonic() - handled[0] > 0.3
        seen = "handled during the wait" if during else handled
        print("answered", r.status_code, seen, flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


# How the exchange reaches the server: its URL's base, and a URL to open the connection
# with first (none: the request itself opens it).
WAYS = {
    "http": ("http", None),
    "https, first contact": ("https", None),
    "https, HTTP/2 connection open": ("https", "/get"),
}


def _urls(server: TestServer, way: str, path: str) -> list[str]:
    """The request's URL, then the URL that opens its connection first (if any)."""
    scheme, opener = WAYS[way]
    base = getattr(server, scheme)
    return [base + path] + ([base + opener] if opener else [])


def _run_child(urls: list[str], ca: str, signum: int, after: float) -> tuple[str, float]:
    """Start the child, send signum `after` seconds into its header wait: (its answer, the
    seconds from the signal to that answer)."""
    url, *opener = urls
    child = subprocess.Popen(
        [sys.executable, "-c", SIGNAL_CHILD, url, ca, *opener], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(after)
        sent = time.monotonic()
        child.send_signal(signum)
        answer = child.stdout.readline().strip()
        return answer, time.monotonic() - sent
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


@pytest.mark.parametrize("way", WAYS)
def test_ctrl_c_during_the_header_wait_raises_keyboard_interrupt_promptly(
    server: TestServer, way: str
) -> None:
    urls = _urls(server, way, "/slow-headers?delay=30")
    answer, delay = _run_child(urls, server.ca, signal.SIGINT, 0.5)
    assert answer == "interrupted", answer
    assert delay < 0.5, f"KeyboardInterrupt took {delay:.2f}s"


@pytest.mark.parametrize("way", WAYS)
def test_a_signal_handler_that_returns_leaves_the_request_alone(
    server: TestServer, way: str
) -> None:
    urls = _urls(server, way, "/slow-headers?delay=1.5")
    answer, delay = _run_child(urls, server.ca, signal.SIGUSR1, 0.5)
    assert answer == "answered 200 handled during the wait", answer
    assert 0.5 < delay < 3, f"the answer came {delay:.2f}s after the signal"


@pytest.mark.parametrize("way", WAYS)
def test_closing_the_session_from_another_thread_ends_the_header_wait(
    server: TestServer, way: str
) -> None:
    url, *opener = _urls(server, way, "/slow-headers?delay=30")
    s = httpcloak.Session(verify=server.ca)
    for first in opener:
        s.get(first)
    timer = threading.Timer(0.3, s.close)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(httpcloak.HTTPCloakError):
            s.get(url)
    finally:
        timer.cancel()
        s.close()
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("way", WAYS)
def test_the_connect_timeout_ends_the_header_wait(server: TestServer, way: str) -> None:
    """The connect timeout lasts until the headers; on the waiting thread no timer keeps
    it, the wait's slices do."""
    url, *opener = _urls(server, way, "/slow-headers?delay=5")
    with httpcloak.Session(timeout=httpcloak.Timeout(connect=0.5, read=30), verify=server.ca) as s:
        for first in opener:
            s.get(first)
        started = time.monotonic()
        with pytest.raises(httpcloak.ConnectTimeout):
            s.get(url)
        waited = time.monotonic() - started
    assert 0.4 < waited < 1.5, f"ConnectTimeout after {waited:.2f}s for a 0.5s connect timeout"


def test_requests_on_the_waiting_thread_reuse_their_connection(server: TestServer) -> None:
    with httpcloak.Session() as s:
        first, second = (s.get(f"{server.http}/whoami").json()["remote"] for _ in range(2))
    assert first == second
