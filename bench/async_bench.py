"""asyncio figures: 1,000 Server-Sent Events streams in one event loop, and one 1 GiB stream
read asynchronously, ours against httpx and curl_cffi (each in its own virtual environment,
made by bench/run.py under .venv-bench/).

    python bench/async_bench.py [--samples 3] [--streams 1000] [--size-mib 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the loopback test server
from servers import TestServer  # noqa: E402

CLIENTS = {
    "httpcloak async": (sys.executable, "ours.py", []),
    "httpcloak sync (thread)": (sys.executable, "ours.py", ["--sync"]),
    "httpx async": (str(ROOT / ".venv-bench/httpx/bin/python"), "httpx_client.py", []),
    "curl_cffi async": (str(ROOT / ".venv-bench/curl_cffi/bin/python"), "curl_cffi_client.py", []),
}


def run_client(name: str, job: dict[str, Any]) -> dict[str, Any]:
    python, script, extra = CLIENTS[name]
    if not Path(python).exists():
        return {"skip": f"{python} missing: run `python bench/run.py --quick` once to make it"}
    path = Path(__file__).parent / "async_clients" / script
    env = dict(os.environ)
    if not name.startswith("httpcloak"):
        env.pop("PYTHONPATH", None)  # a tree of ours to measure: never a peer's import path
    done = subprocess.run(
        [python, str(path), json.dumps(job), *extra],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    if done.returncode != 0:
        return {"skip": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def median_range(values: list[float], fmt: str = "{:.1f}") -> str:
    middle, low, high = (
        fmt.format(v) for v in (statistics.median(values), min(values), max(values))
    )
    return f"{middle} ({low}–{high})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--size-mib", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mib << 20
    lines = [
        f"Command: `python bench/async_bench.py --samples {args.samples} "
        f"--streams {args.streams} --size-mib {args.size_mib}`",
        "",
    ]
    with TestServer.start() as server:
        sse_clients = [c for c in CLIENTS if "sync" not in c or "async" in c]
        lines += [
            f"### {args.streams} SSE streams in one event loop (20 events 0.1 s apart each, "
            "plain HTTP/1.1)",
            "",
            "| client | events | peak threads | CPU % | latency p50 ms | p99 ms |",
            "|---|---|---|---|---|---|",
        ]
        job = {
            "figure": "sse_many",
            "url": f"{server.http}/sse?count=20&interval=0.1",
            "ca": "",
            "streams": args.streams,
        }
        sse_results: dict[str, list[dict[str, Any]]] = {c: [] for c in sse_clients}
        for _ in range(args.samples):
            for client in sse_clients:
                sse_results[client].append(run_client(client, job))
        for client, results in sse_results.items():
            good = [r for r in results if "skip" not in r]
            if not good:
                lines.append(f"| {client} | skipped: {results[0]['skip']} | | | | |")
                continue
            lines.append(
                f"| {client} | {min(r['events'] for r in good)} of {args.streams * 20} "
                f"| {max(r['threads_peak'] for r in good)} "
                f"| {median_range([r['cpu_percent'] for r in good])} "
                f"| {median_range([r['latency_p50_ms'] for r in good], '{:.2f}')} "
                f"| {median_range([r['latency_p99_ms'] for r in good], '{:.2f}')} |"
            )
        for proto, base, ca in (
            ("plain HTTP/1.1", server.http, ""),
            ("TLS", server.https, server.ca),
        ):
            lines += [
                "",
                f"### {args.size_mib} MiB streamed, {proto}",
                "",
                "| client | median MiB/s (min–max) | vs httpcloak async |",
                "|---|---|---|",
            ]
            tjob = {"figure": "throughput", "url": f"{base}/big/{size}", "ca": ca}
            rates: dict[str, list[float]] = {c: [] for c in CLIENTS}
            skips: dict[str, str] = {}
            for _ in range(args.samples):
                for client in CLIENTS:
                    r = run_client(client, tjob)
                    if "skip" in r:
                        skips[client] = r["skip"]
                    elif r["bytes"] == size:
                        rates[client].append(size / r["seconds"] / 2**20)
                    else:
                        skips[client] = f"read {r['bytes']} of {size} bytes"
            ours = statistics.median(rates["httpcloak async"]) if rates["httpcloak async"] else 0
            for client, values in rates.items():
                if not values:
                    lines.append(f"| {client} | skipped: {skips.get(client, '?')} | |")
                    continue
                ratio = statistics.median(values) / ours if ours else float("nan")
                lines.append(f"| {client} | {median_range(values, '{:.0f}')} | {ratio:.2f}x |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
