"""A/B of the asyncio event path: many Server-Sent Events streams in one event loop, this
tree against another checkout, interleaved.

    python bench/ab_async.py --base /path/to/other/checkout [--rounds 5] [--streams 1000]

Each sample runs bench/async_clients/ours.py (async_bench.py's client) in a fresh process
with the tree on PYTHONPATH; the other checkout must be built (its httpcloak/_native).
Prints each sample and the medians: delivery latency p50/p99 and the process's CPU %.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the loopback test server
from servers import TestServer  # noqa: E402


def sample(tree: Path, job: dict[str, Any]) -> dict[str, Any]:
    client = tree / "bench" / "async_clients" / "ours.py"
    done = subprocess.run(
        [sys.executable, str(client), json.dumps(job)],
        env=dict(os.environ, PYTHONPATH=str(tree)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other checkout (built)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--streams", type=int, default=1000)
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "this": HERE.parent}
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    with TestServer.start() as server:
        job = {
            "figure": "sse_many",
            "url": f"{server.http}/sse?count=20&interval=0.1",
            "ca": "",
            "streams": args.streams,
        }
        for rnd in range(args.rounds):
            for name, tree in trees.items():
                row = sample(tree, job)
                results[name].append(row)
                print(
                    f"round {rnd + 1} {name}: p50 {row['latency_p50_ms']:.2f} ms, "
                    f"p99 {row['latency_p99_ms']:.1f} ms, CPU {row['cpu_percent']:.1f} %",
                    file=sys.stderr,
                )
    print(f"medians of {args.rounds} interleaved samples, {args.streams} SSE streams, one loop")
    for name, rows in results.items():
        p50 = statistics.median(r["latency_p50_ms"] for r in rows)
        p99 = statistics.median(r["latency_p99_ms"] for r in rows)
        cpu = statistics.median(r["cpu_percent"] for r in rows)
        print(f"{name}: p50 {p50:.2f} ms, p99 {p99:.1f} ms, CPU {cpu:.1f} %")


if __name__ == "__main__":
    main()
