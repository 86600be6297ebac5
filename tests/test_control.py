"""Python stays in control: timeouts (and no hidden deadline: a stream ends when the server
ends it), Ctrl-C, cancel and close from other threads, fork."""

from __future__ import annotations

import multiprocessing
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import httpcloak

from servers import TestServer


def test_a_stalled_body_raises_read_timeout_after_the_read_timeout(
    server: TestServer, base_url: str
) -> None:
    with httpcloak.Session(timeout=(5, 0.5), verify=server.ca) as s:
        with s.get(f"{base_url}/stall?after=100&seconds=30", stream=True) as r:
            reader = r.iter_content()
            assert len(next(reader)) == 100
            started = time.monotonic()
            with pytest.raises(httpcloak.ReadTimeout):
                next(reader)
            waited = time.monotonic() - started
    assert 0.4 < waited < 1.5, f"ReadTimeout after {waited:.2f}s for a 0.5s read timeout"


def test_slow_headers_raise_connect_timeout(server: TestServer, base_url: str) -> None:
    timeout = httpcloak.Timeout(connect=0.5, read=30)
    with httpcloak.Session(timeout=timeout, verify=server.ca) as s:
        started = time.monotonic()
        with pytest.raises(httpcloak.ConnectTimeout):
            s.get(f"{base_url}/slow-headers?delay=5", stream=True)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    "streamed_body", [False, True], ids=["on the caller's thread", "on a goroutine"]
)
def test_a_head_stalled_midway_raises_connect_timeout(
    server: TestServer, streamed_body: bool
) -> None:
    """The server sends the start of its head and stalls: the connect timeout (which lasts
    until the headers) cuts it, whether the exchange runs on the waiting thread (a GET over
    plain HTTP) or on a goroutine (a request with a streamed body)."""
    timeout = httpcloak.Timeout(connect=0.5, read=30)
    url = f"{server.http}/slow-headers?delay=5&partial=1"
    with httpcloak.Session(timeout=timeout) as s:
        started = time.monotonic()
        with pytest.raises(httpcloak.ConnectTimeout):
            if streamed_body:
                s.post(url, data=iter([b"x"]), stream=True)
            else:
                s.get(url, stream=True)
        waited = time.monotonic() - started
    assert 0.4 < waited < 2.0, f"ConnectTimeout after {waited:.2f}s for a 0.5s connect timeout"


def test_a_large_head_to_a_server_that_reads_nothing_raises_connect_timeout() -> None:
    """A GET whose head outgrows the sockets' buffers, to a server that never reads it (the
    kernel accepts the connection, nobody calls accept): the write is cut by the connect
    timeout instead of waiting for ever."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        timeout = httpcloak.Timeout(connect=0.5, read=30)
        with httpcloak.Session(timeout=timeout) as s:
            started = time.monotonic()
            with pytest.raises(httpcloak.ConnectTimeout):
                s.get(f"http://127.0.0.1:{port}/", headers={"x-large": "a" * (16 << 20)})
            waited = time.monotonic() - started
    assert waited < 3.0, f"ConnectTimeout after {waited:.2f}s for a 0.5s connect timeout"


def test_total_timeout_bounds_the_whole_exchange(server: TestServer) -> None:
    timeout = httpcloak.Timeout(connect=5, read=5, total=1.0)
    with httpcloak.Session(timeout=timeout, verify=server.ca) as s:
        with s.get(f"{server.http}/drip?count=100&interval=0.1", stream=True) as r:
            with pytest.raises(httpcloak.TotalTimeout):
                r.read()


def test_a_drip_outliving_every_timeout_ends_normally(server: TestServer, base_url: str) -> None:
    # 8 events 0.5 s apart (4 s) through a session whose connect and read timeouts are 1 s.
    with httpcloak.Session(timeout=1, verify=server.ca) as s:
        with s.get(f"{base_url}/sse?count=8&interval=0.5", stream=True) as r:
            events = list(r.iter_events())
    assert [e.id for e in events] == [str(i) for i in range(8)]


def test_per_request_timeout_overrides_the_session(server: TestServer) -> None:
    with httpcloak.Session(timeout=None, verify=server.ca) as s:
        with pytest.raises(httpcloak.ConnectTimeout):
            s.get(f"{server.http}/slow-headers?delay=5", timeout=0.3)


def test_cancel_from_another_thread_raises_stream_canceled(
    session: httpcloak.Session, server: TestServer
) -> None:

    r = session.get(f"{server.https}/stall?after=10&seconds=30", stream=True)
    reader = r.iter_content()
    next(reader)
    threading.Timer(0.2, r.cancel).start()
    with pytest.raises(httpcloak.StreamCanceled):
        next(reader)
    with pytest.raises(httpcloak.StreamError):
        r.read()
    r.close()


CTRL_C_CHILD = textwrap.dedent(
    """
    import sys, time, httpcloak
    s = httpcloak.Session(verify=sys.argv[2])
    r = s.get(sys.argv[1], stream=True)
    reader = r.iter_content()
    next(reader)
    print("blocked", flush=True)
    try:
        next(reader)
        print("not interrupted", flush=True)
    except KeyboardInterrupt:
        print("interrupted", r.closed, flush=True)
    """
)


@pytest.mark.parametrize(
    ("scheme", "length"),
    # With a Content-Length, HTTP/1.1 is read on the calling thread (no read-ahead pump).
    [("http", ""), ("https", ""), ("http", "&length=1000000")],
)
def test_ctrl_c_during_a_blocked_read_raises_keyboard_interrupt_promptly(
    server: TestServer, scheme: str, length: str
) -> None:
    url = f"{getattr(server, scheme)}/stall?after=10&seconds=30{length}"
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_CHILD, url, server.ca],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "blocked"
        time.sleep(0.3)  # let the read block on the silent server
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        answer = child.stdout.readline().strip()
        delay = time.monotonic() - sent
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert answer == "interrupted True", answer
    assert delay < 0.5, f"KeyboardInterrupt took {delay:.2f}s"


FORK_CHILD = textwrap.dedent(
    """
    import os, sys, time, httpcloak
    base = sys.argv[1]
    url = base + "/get"
    s = httpcloak.Session()
    assert s.get(url).status_code == 200
    # Streams the parent opened: one silent, one whose body already arrived.
    silent = s.get(base + "/stall?after=10&seconds=5", stream=True)
    arrived = s.get(base + "/bytes/1000", stream=True)
    time.sleep(0.2)
    pid = os.fork()
    if pid == 0:
        started = time.monotonic()
        outcomes = []
        for attempt in (
            lambda: s.get(url),
            lambda: httpcloak.Session(),
            lambda: s.cookies,
            lambda: silent.read(),
            lambda: silent.raw.read(5),
            lambda: arrived.read(),
        ):
            try:
                attempt()
                outcomes.append("worked")
            except httpcloak.ForkedProcessError as error:
                outcomes.append("refused" if "spawn" in str(error) else "vague")
        elapsed = time.monotonic() - started
        print(",".join(outcomes), "fast" if elapsed < 1 else "slow", flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    assert s.get(url).status_code == 200
    assert len(arrived.read()) == 1000
    silent.close()
    print("parent fine", flush=True)
    """
)


def test_a_forked_child_gets_a_clear_error_and_the_parent_keeps_working(server: TestServer) -> None:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", FORK_CHILD, server.http],
        capture_output=True,
        text=True,
        timeout=30,
    )
    refused = ",".join(["refused"] * 6)
    assert done.stdout.splitlines() == [f"{refused} fast", "parent fine"], done.stderr


def _status_in_spawned_child(url: str) -> int:
    with httpcloak.Session() as s:
        status: int = s.get(url).status_code
        return status


def test_a_spawned_child_works_normally(server: TestServer) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        assert pool.apply(_status_in_spawned_child, (f"{server.http}/get",)) == 200


# ---- no hidden deadline ------------------------------------------------------------------


DRIPS = 130  # 0.5 s apart: 65 s, past the 60 s cut of the upstream binding


def _stream_all(session: httpcloak.Session, url: str) -> int:
    with session.get(url, stream=True) as r:
        return sum(len(c) for c in r.iter_content())


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_streams_longer_than_sixty_seconds_end_normally(server: TestServer) -> None:
    # The read timeout is far shorter than the stream: only silence counts against it.
    # HTTP/1.1 and HTTP/2 run side by side so the proof costs one minute, not two.
    timeout = httpcloak.Timeout(connect=5, read=2)
    with httpcloak.Session(timeout=timeout, verify=server.ca) as s:
        urls = [
            f"{base}/drip?count={DRIPS}&interval=0.5&size=8" for base in (server.http, server.https)
        ]
        with ThreadPoolExecutor(2) as pool:
            totals = list(pool.map(lambda u: _stream_all(s, u), urls))
    assert totals == [DRIPS * 8, DRIPS * 8]
