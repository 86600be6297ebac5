"""The measuring loop every async benchmark client shares; standard library only, since it
runs inside each peer's own virtual environment. A client supplies two coroutines:
``sse(url, ca, on_event)`` reading one Server-Sent Events stream, and ``download(url, ca)``
returning the bytes read. The job is JSON on argv[1]; one JSON line goes to stdout."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

SSE = Callable[[str, str, Callable[[bytes], None]], Awaitable[None]]
Download = Callable[[str, str], Awaitable[int]]


def _threads() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def _event_latency_ms(data_line: bytes, now: float) -> float:
    """data_line is the JSON of the event's first data line, with the server's ts."""
    sent: float = json.loads(data_line)["ts"]
    return (now - sent) * 1000


async def _sse_many(job: dict[str, Any], sse: SSE) -> dict[str, Any]:
    latencies: list[float] = []
    peak = [_threads()]

    def on_event(data_line: bytes) -> None:
        latencies.append(_event_latency_ms(data_line, time.time()))

    async def sample_threads() -> None:
        while True:
            peak[0] = max(peak[0], _threads())
            await asyncio.sleep(0.05)

    sampler = asyncio.ensure_future(sample_threads())
    cpu0, wall0 = os.times(), time.monotonic()
    await asyncio.gather(*(sse(job["url"], job["ca"], on_event) for _ in range(job["streams"])))
    cpu1, wall = os.times(), time.monotonic() - wall0
    sampler.cancel()
    latencies.sort()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return {
        "events": len(latencies),
        "threads_peak": peak[0],
        "cpu_percent": 100 * cpu / wall,
        "latency_p50_ms": statistics.median(latencies) if latencies else None,
        "latency_p99_ms": latencies[int(0.99 * (len(latencies) - 1))] if latencies else None,
        "seconds": wall,
    }


async def _throughput(job: dict[str, Any], download: Download) -> dict[str, Any]:
    started = time.monotonic()
    total = await download(job["url"], job["ca"])
    return {"bytes": total, "seconds": time.monotonic() - started}


def main(sse: SSE, download: Download) -> None:
    job = json.loads(sys.argv[1])
    if job["figure"] == "sse_many":
        result = asyncio.run(_sse_many(job, sse))
    else:
        result = asyncio.run(_throughput(job, download))
    print(json.dumps(result))
