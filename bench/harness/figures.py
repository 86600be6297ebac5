"""The five figures: the job each sends, the clients and targets it runs, the table it makes."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clients import GO_NATIVE, OURS, Client
from .sampler import Results, Sampler
from .stats import Spread, number, ratio, spread_cells
from .targets import Target

MIB = 1 << 20


@dataclass(frozen=True)
class Settings:
    samples: int
    big: int  # bytes of each big stream (1 GiB, or 64 MiB with --quick)
    small: int = 64 << 10
    chunk: int = 64 << 10
    sequential: int = 2000
    header_requests: int = 200
    warmup: int = 20  # requests on a session before the timed ones (figures 2 and 4)
    threads: int = 8
    sse_events: int = 100
    sse_interval: float = 0.1

    @property
    def sse_query(self) -> str:
        return f"count={self.sse_events}&interval={self.sse_interval:g}"


@dataclass
class Table:
    title: str
    notes: list[str]
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _median(results: list[dict[str, Any]], key: Callable[[dict[str, Any]], float]) -> float:
    return statistics.median(key(r) for r in results)


def _protocols(results: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({str(r.get("protocol", "–")) for r in results}))


def _rss(results: list[dict[str, Any]]) -> str:
    return number(max(r["maxrss_kib"] for r in results) / 1024)


def _cpu(results: list[dict[str, Any]]) -> str:
    if any("cpu_seconds" not in r for r in results):
        return "–"
    return f"{_median(results, lambda r: 100 * r['cpu_seconds'] / r['seconds']):.0f}"


def _reference(spreads: dict[str, Spread | None], label: str) -> float | None:
    found = spreads.get(label)
    return found.median if found else None


def _mib_s(result: dict[str, Any]) -> float:
    return float(result["bytes"]) / float(result["seconds"]) / MIB


def throughput(
    sampler: Sampler, s: Settings, targets: list[Target], clients: list[Client]
) -> Table:
    table = Table(
        f"Figure 1: one {s.big // MIB} MiB body streamed, {s.chunk // 1024} KiB reads",
        [
            "MiB/s over the whole call (connect, headers, body); CPU % is the client's "
            "user+sys time over that span; peak RSS is the "
            "client's VmHWM, the largest over the samples; ratios are medians over medians "
            "(higher is faster)."
        ],
        [
            "target",
            "client",
            "got",
            "MiB/s",
            "min–max",
            "peak RSS MiB",
            "CPU %",
            "vs ours",
            "vs go-native",
        ],
    )
    for target in targets:
        job = {
            "figure": "throughput",
            "url": target.big_url,
            "ca": target.ca,
            "chunk": s.chunk,
            "expect_bytes": s.big,
        }
        found = sampler.collect("1", target, clients, job, lambda r: f"{_mib_s(r):.0f} MiB/s")
        spreads = {label: Spread.of([_mib_s(r) for r in rs]) for label, rs in found.items()}
        ours, go = _reference(spreads, OURS), _reference(spreads, GO_NATIVE)
        for label, results in found.items():
            median, span = spread_cells(spreads[label])
            value = _reference(spreads, label)
            table.rows.append(
                [
                    target.name,
                    label,
                    _protocols(results),
                    median,
                    span,
                    _rss(results),
                    _cpu(results),
                    ratio(value, ours),
                    ratio(value, go),
                ]
            )
    return table


def sequential(
    sampler: Sampler, s: Settings, targets: list[Target], clients: list[Client]
) -> Table:
    table = Table(
        f"Figure 2: {s.sequential} sequential streamed GETs of a {s.small // 1024} KiB body "
        "on one session",
        [
            f"Each request opened with stream=True (or the library's equivalent), read to the "
            f"end in {s.chunk // 1024} KiB reads and closed; {s.warmup} untimed requests warm "
            "the session first. Ratio: requests/s over ours (higher is faster)."
        ],
        ["target", "client", "got", "requests/s", "min–max", "vs ours", "vs go-native"],
    )
    for target in targets:
        job = {
            "figure": "sequential",
            "url": target.small_url,
            "ca": target.ca,
            "chunk": s.chunk,
            "count": s.sequential,
            "warmup": s.warmup,
            "expect_bytes": s.small,
        }
        found = sampler.collect("2", target, clients, job, lambda r: f"{r['rps']:.0f} req/s")
        spreads = {label: Spread.of([r["rps"] for r in rs]) for label, rs in found.items()}
        ours, go = _reference(spreads, OURS), _reference(spreads, GO_NATIVE)
        for label, results in found.items():
            median, span = spread_cells(spreads[label])
            value = _reference(spreads, label)
            table.rows.append(
                [
                    target.name,
                    label,
                    _protocols(results),
                    median,
                    span,
                    ratio(value, ours),
                    ratio(value, go),
                ]
            )
    return table


def threads(sampler: Sampler, s: Settings, targets: list[Target], clients: list[Client]) -> Table:
    table = Table(
        f"Figure 3: {s.threads} threads × {s.big // MIB} MiB, each thread its own stream",
        [
            "Aggregate MiB/s from the start signal until the last thread is done. One session "
            "shared by the threads where the library allows it, else one per thread (column "
            "'session'). CPU % is user+sys over wall time of that span (2 cores: at most 200). "
            "Ratio: MiB/s over ours."
        ],
        [
            "target",
            "client",
            "got",
            "session",
            "MiB/s",
            "min–max",
            "CPU %",
            "peak RSS MiB",
            "vs ours",
            "vs go-native",
        ],
    )
    for target in targets:
        job = {
            "figure": "threads",
            "url": target.big_url,
            "ca": target.ca,
            "chunk": s.chunk,
            "threads": s.threads,
            "expect_bytes": s.big,
        }
        found = sampler.collect("3", target, clients, job, lambda r: f"{_mib_s(r):.0f} MiB/s")
        spreads = {label: Spread.of([_mib_s(r) for r in rs]) for label, rs in found.items()}
        ours, go = _reference(spreads, OURS), _reference(spreads, GO_NATIVE)
        for label, results in found.items():
            median, span = spread_cells(spreads[label])
            value = _reference(spreads, label)
            shared = "shared" if results[0].get("shared_session") else "per thread"
            table.rows.append(
                [
                    target.name,
                    label,
                    _protocols(results),
                    shared,
                    median,
                    span,
                    _cpu(results),
                    _rss(results),
                    ratio(value, ours),
                    ratio(value, go),
                ]
            )
    return table


def headers(sampler: Sampler, s: Settings, targets: list[Target], clients: list[Client]) -> Table:
    table = Table(
        f"Figure 4: time from call to headers, {s.header_requests} sequential requests on "
        "one warm session",
        [
            f"From the call until it returns with the headers (stream=True), body not yet read; "
            f"each body is then read and closed. {s.warmup} untimed requests first. Each sample "
            "gives its median and p90; the table gives the median over samples of each, with the "
            "min–max of the per-sample medians. Ratio: median over ours (lower is faster)."
        ],
        ["target", "client", "got", "median ms", "min–max", "p90 ms", "vs ours"],
    )
    for target in targets:
        job = {
            "figure": "headers",
            "url": target.small_url,
            "ca": target.ca,
            "chunk": s.chunk,
            "count": s.header_requests,
            "warmup": s.warmup,
            "expect_bytes": s.small,
        }
        found = sampler.collect(
            "4", target, clients, job, lambda r: f"{r['median_ms']:.3f} ms, p90 {r['p90_ms']:.3f}"
        )
        _latency_rows(table, target, found, "p90_ms")
    return table


def sse(sampler: Sampler, s: Settings, targets: list[Target], clients: list[Client]) -> Table:
    table = Table(
        f"Figure 5: Server-Sent Events delivery, {s.sse_events} events {s.sse_interval:g} s apart",
        [
            "Delay of each event: the client's time.time() when it gets the event's first data "
            "line, minus the server's timestamp in it, written just before the event. Each "
            "sample gives its median and p99; the table gives the median over samples of each. "
            "Each event is one flushed write, so ours (iter_events yields an event at its "
            "closing blank line) gets it in the same read as a peer's first data line. "
            "Ratio: median over ours (lower is faster)."
        ],
        ["target", "client", "got", "via", "median ms", "min–max", "p99 ms", "vs ours"],
    )
    for target in targets:
        if not target.sse_url:
            continue
        job = {
            "figure": "sse",
            "url": target.sse_url,
            "ca": target.ca,
            "chunk": s.chunk,
            "count": s.sse_events,
        }
        found = sampler.collect(
            "5", target, clients, job, lambda r: f"{r['median_ms']:.2f} ms, p99 {r['p99_ms']:.2f}"
        )
        for label, results in found.items():
            fewest = min(int(r["events"]) for r in results)
            if fewest < s.sse_events:
                sampler.skips.add(
                    label,
                    f"figure 5, {target.name}",
                    f"only {fewest} of {s.sse_events} events arrived",
                )
        _latency_rows(table, target, found, "p99_ms", via=True)
    return table


def _latency_rows(
    table: Table, target: Target, found: Results, tail: str, via: bool = False
) -> None:
    spreads = {label: Spread.of([r["median_ms"] for r in rs]) for label, rs in found.items()}
    ours = _reference(spreads, OURS)
    for label, results in found.items():
        median, span = spread_cells(spreads[label])
        how = [str(results[0].get("how", "?"))] if via else []
        table.rows.append(
            [
                target.name,
                label,
                _protocols(results),
                *how,
                median,
                span,
                number(_median(results, lambda r: float(r[tail]))),
                ratio(_reference(spreads, label), ours),
            ]
        )
