"""1 GiB streamed from the loopback test server: our binding vs a Go-native read loop.

    python bench/stream_bench.py [--size-mib 1024] [--samples 5]

Same engine, preset and server for both. Samples are interleaved, each in a fresh process;
the table gives medians with min-max, peak RSS, and ours as a ratio of Go-native.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # build_go; the loopback test server
import build_go  # noqa: E402

from servers import TestServer  # noqa: E402

OURS = """
import json, re, sys, time, httpcloak
url, ca, mode = sys.argv[1], sys.argv[2], sys.argv[3]
total = 0
started = time.perf_counter()
with httpcloak.Session(verify=ca) as s, s.get(url, stream=True) as r:
    if mode == "readinto":
        buf = bytearray(65536)
        while n := r.raw.readinto(buf):
            total += n
    else:
        for chunk in r.iter_content(65536):
            total += len(chunk)
elapsed = time.perf_counter() - started
with open("/proc/self/status") as status:  # VmHWM: ru_maxrss survives exec
    rss = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
print(json.dumps({"bytes": total, "seconds": elapsed, "maxrss_kib": rss}))
"""


def run_sample(client: str, url: str, ca: str, goread: Path) -> dict[str, float]:
    if client == "go-native":
        cmd = [str(goread), "-url", url, "-ca", ca]
    else:
        mode = client.split(":", 1)[1]
        cmd = [sys.executable, "-c", OURS, url, ca, mode]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    size = args.size_mib << 20
    goread = build_go.ROOT / "build" / "goread"
    build_go.patch_go_modules()  # go/ builds from our patched module copies
    subprocess.run(
        ["go", "build", "-o", str(goread), "./cmd/goread"], cwd=build_go.GO_DIR, check=True
    )
    clients = ["go-native", "httpcloak:iter_content", "httpcloak:readinto"]
    rows = []
    with TestServer.start() as server:
        for proto, base in (("HTTP/1.1 plain", server.http), ("TLS + HTTP/2", server.https)):
            url = f"{base}/big/{size}"
            samples: dict[str, list[dict[str, float]]] = {c: [] for c in clients}
            for _ in range(args.samples):
                for client in clients:  # interleaved
                    sample = run_sample(client, url, server.ca, goread)
                    assert sample["bytes"] == size, (client, sample)
                    samples[client].append(sample)
            native = statistics.median(size / s["seconds"] for s in samples["go-native"])
            for client in clients:
                rates = [size / s["seconds"] / 2**20 for s in samples[client]]
                rss = max(s["maxrss_kib"] for s in samples[client]) / 1024
                median = statistics.median(rates)
                rows.append(
                    f"| {proto} | {client} | {median:.0f} | {min(rates):.0f}–{max(rates):.0f} "
                    f"| {rss:.0f} | {median * 2**20 / native:.2f}x |"
                )
    print(
        f"machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {args.size_mib} MiB x {args.samples} samples"
    )
    print("| protocol | client | median MiB/s | min–max | peak RSS MiB | vs Go-native |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
