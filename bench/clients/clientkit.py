"""The measuring loops every benchmark client shares, so that all clients are timed alike.

A client script wraps its library in an Adapter and calls ``main(adapter)``. The job arrives
as JSON on argv[1]; one JSON line of measurements goes to stdout. This file imports nothing
outside the standard library: it runs in every peer's own virtual environment.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any

Result = dict[str, Any]
# Short protocol names (httpcloak's) as the other clients spell them.
PROTOCOL_NAMES = {"h1": "HTTP/1.1", "h2": "HTTP/2", "h3": "HTTP/3"}


class Unsupported(Exception):
    """The client cannot do this figure; the message says why."""


@dataclass(frozen=True)
class Job:
    figure: str  # throughput | sequential | threads | headers | sse
    url: str
    ca: str = ""  # CA bundle for TLS URLs, "" for plain HTTP
    chunk: int = 65536  # read size
    count: int = 1  # requests (sequential, headers) or events (sse)
    threads: int = 1
    warmup: int = 0  # requests on the session before the timed ones
    expect_bytes: int = -1  # body length of each response, -1 when not checked
    variant: str = ""  # a client's way of reading, e.g. ours' "readinto"

    @classmethod
    def parse(cls, text: str) -> Job:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class Adapter:
    """One library's way to open a session, open a stream, read it and close it."""

    name = "?"
    # False when the library says a session must not be used from several threads.
    thread_safe_session = True
    sse_how = "iter_lines"  # the library call the Server-Sent Events figure uses

    def session(self, job: Job) -> Any:
        raise NotImplementedError

    def close_session(self, session: Any) -> None:
        session.close()

    def open(self, session: Any, url: str) -> Any:
        """Send a GET and return as soon as the headers are in (the body not read)."""
        raise NotImplementedError

    def status(self, response: Any) -> int:
        return int(response.status_code)

    def protocol(self, response: Any) -> str:
        return "?"

    def drain(self, response: Any, chunk: int, variant: str) -> int:
        """Read the whole body in reads of ``chunk`` bytes; return the byte count."""
        raise NotImplementedError

    def close(self, response: Any) -> None:
        response.close()

    def lines(self, response: Any) -> Iterator[str | bytes]:
        """The body's lines as the library streams them."""
        raise Unsupported(f"{self.name} has no streaming line or event iterator")

    def sse_payloads(self, response: Any) -> Iterator[str]:
        """The first data line of each Server-Sent Event, as soon as it arrives."""
        for line in self.lines(response):
            text = line.decode() if isinstance(line, bytes) else line
            if text.startswith("data:"):
                yield text[5:].removeprefix(" ")


def peak_rss_kib() -> int:
    """VmHWM of this process image (ru_maxrss would carry the parent's peak across exec)."""
    with open("/proc/self/status") as status:
        found = re.search(r"VmHWM:\s+(\d+)", status.read())
    return int(found.group(1)) if found else -1


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _check_length(job: Job, got: int) -> None:
    if job.expect_bytes >= 0 and got != job.expect_bytes:
        raise RuntimeError(f"read {got} bytes, expected {job.expect_bytes}")


def _open(adapter: Adapter, session: Any, url: str) -> Any:
    """A streamed GET, refused unless it answered 200 (an error page would count as data)."""
    response = adapter.open(session, url)
    status = adapter.status(response)
    if status != 200:
        adapter.close(response)
        raise RuntimeError(f"{url} answered {status}")
    return response


def _fetch(adapter: Adapter, session: Any, job: Job) -> tuple[str, int]:
    """One streamed GET read to the end: (protocol, body bytes)."""
    response = _open(adapter, session, job.url)
    try:
        got = adapter.drain(response, job.chunk, job.variant)
        _check_length(job, got)
        return adapter.protocol(response), got
    finally:
        adapter.close(response)


def throughput(adapter: Adapter, job: Job) -> Result:
    session = adapter.session(job)
    try:
        cpu0, started = cpu_seconds(), time.perf_counter()
        protocol, got = _fetch(adapter, session, job)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu0
    finally:
        adapter.close_session(session)
    return {"bytes": got, "seconds": seconds, "cpu_seconds": cpu, "protocol": protocol}


def sequential(adapter: Adapter, job: Job) -> Result:
    session = adapter.session(job)
    try:
        for _ in range(job.warmup):
            _fetch(adapter, session, job)
        started = time.perf_counter()
        protocol = ""
        for _ in range(job.count):
            protocol, _ = _fetch(adapter, session, job)
        seconds = time.perf_counter() - started
    finally:
        adapter.close_session(session)
    return {
        "requests": job.count,
        "seconds": seconds,
        "rps": job.count / seconds,
        "protocol": protocol,
    }


def headers(adapter: Adapter, job: Job) -> Result:
    session = adapter.session(job)
    waits: list[float] = []
    protocol = ""
    try:
        for _ in range(job.warmup):
            _fetch(adapter, session, job)
        for _ in range(job.count):
            started = time.perf_counter()
            response = _open(adapter, session, job.url)
            waits.append((time.perf_counter() - started) * 1000)
            try:
                _check_length(job, adapter.drain(response, job.chunk, job.variant))
                protocol = adapter.protocol(response)
            finally:
                adapter.close(response)
    finally:
        adapter.close_session(session)
    return {
        "requests": len(waits),
        "median_ms": statistics.median(waits),
        "p90_ms": percentile(waits, 90),
        "protocol": protocol,
    }


def threads(adapter: Adapter, job: Job) -> Result:
    shared = adapter.thread_safe_session
    sessions = (
        [adapter.session(job)] if shared else [adapter.session(job) for _ in range(job.threads)]
    )
    gate = threading.Barrier(job.threads + 1)
    errors: list[str] = []
    protocols: set[str] = set()
    received: list[int] = []

    def worker(index: int) -> None:
        session = sessions[0 if shared else index]
        gate.wait()
        try:
            protocol, got = _fetch(adapter, session, job)
            protocols.add(protocol)
            received.append(got)
        except Exception as error:  # reported, not raised: the other threads go on
            errors.append(repr(error))

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(job.threads)]
    for thread in workers:
        thread.start()
    try:
        gate.wait()
        cpu0, started = cpu_seconds(), time.perf_counter()
        for thread in workers:
            thread.join()
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu0
    finally:
        for session in sessions:
            adapter.close_session(session)
    if errors:
        raise RuntimeError(f"{len(errors)} of {job.threads} streams failed: {errors[0]}")
    return {
        "bytes": sum(received),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "shared_session": shared,
        "protocol": ",".join(sorted(protocols)),
    }


def sse(adapter: Adapter, job: Job) -> Result:
    session = adapter.session(job)
    delays: list[float] = []
    try:
        response = _open(adapter, session, job.url)
        protocol = adapter.protocol(response)
        try:
            for payload in adapter.sse_payloads(response):
                now = time.time()
                try:
                    event = json.loads(payload)
                except ValueError:
                    continue
                if isinstance(event, dict) and "ts" in event:
                    delays.append((now - float(event["ts"])) * 1000)
                    if len(delays) == job.count:
                        break
        finally:
            adapter.close(response)
    finally:
        adapter.close_session(session)
    if not delays:
        raise RuntimeError("no event with a timestamp arrived")
    return {
        "events": len(delays),
        "median_ms": statistics.median(delays),
        "p99_ms": percentile(delays, 99),
        "max_ms": max(delays),
        "protocol": protocol,
        "how": adapter.sse_how,
    }


FIGURES: dict[str, Callable[[Adapter, Job], Result]] = {
    "throughput": throughput,
    "sequential": sequential,
    "threads": threads,
    "headers": headers,
    "sse": sse,
}


def main(adapter: Adapter) -> None:
    job = Job.parse(sys.argv[1])
    try:
        result = FIGURES[job.figure](adapter, job)
    except Unsupported as reason:
        print(json.dumps({"skip": str(reason)}))
        return
    except Exception as error:
        traceback.print_exc()
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        sys.exit(1)
    result["maxrss_kib"] = peak_rss_kib()
    print(json.dumps(result))
