"""Where our plain HTTP/1.1 read loop spends its time: py-spy on a 1 GiB stream, top frames.

    python bench/profile_read_path.py [--size-mib 1024] [--repeat 4] [--readinto]
                                      [--rate 997] [--idle] [--native] [--top 25] [--perf]

Starts the loopback test server, runs the same loop as bench/clients/client_ours.py
(iter_content(65536), or raw.readinto with --readinto) over /big/{size} ``repeat`` times in
a child process, and samples it with py-spy (installed into .venv-bench/py-spy when not on
PATH): first by attaching to the running child (``py-spy record --pid``), and if attaching is
refused (ptrace restricted) by launching it (``py-spy record -- python ...``). It prints the
top frames by own samples and by inclusive samples. Without py-spy, or with --perf, it runs
``perf stat`` over the same loop; --perf adds perf stat and a perf record of every thread,
split by library and symbol. See bench/profile.md.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import peers

from servers import TestServer

PY_SPY = ("py-spy==0.4.3",)
PERF_EVENTS = "task-clock,context-switches,cpu-migrations,page-faults,cycles,instructions"


def target(url: str, repeat: int, readinto: bool) -> None:
    """The profiled loop (runs in the child)."""
    import httpcloak

    with httpcloak.Session(verify=False) as session:
        for _ in range(repeat):
            total = 0
            with session.get(url, stream=True) as response:
                if readinto:
                    buffer = bytearray(65536)
                    while n := response.raw.readinto(buffer):
                        total += n
                else:
                    for chunk in response.iter_content(65536):
                        total += len(chunk)
            print(f"read {total} bytes", file=sys.stderr)


def py_spy_binary() -> str | None:
    found = shutil.which("py-spy")
    if found:
        return found
    python, reason = peers.ensure("py-spy", PY_SPY, lambda m: print(m, file=sys.stderr))
    if python is None:
        print(f"no py-spy: {reason}", file=sys.stderr)
        return None
    binary = python.parent / "py-spy"
    return str(binary) if binary.exists() else None


def child_command(args: argparse.Namespace, url: str) -> list[str]:
    command = [sys.executable, __file__, "--target", url, "--repeat", str(args.repeat)]
    return command + (["--readinto"] if args.readinto else [])


def record(py_spy: str, args: argparse.Namespace, url: str, out: Path) -> str:
    """Folded stacks into ``out``; returns how the samples were taken ("" if not at all)."""
    flags = ["--format", "raw", "--rate", str(args.rate), "--output", str(out)]
    # --nonblocking (no pausing of the process per sample) cannot unwind native frames.
    flags += ["--native"] if args.native else ["--nonblocking"]
    flags += ["--idle"] if args.idle else []
    child = subprocess.Popen(child_command(args, url))
    try:
        time.sleep(0.5)  # past the imports, into the loop
        attached = subprocess.run(
            [py_spy, "record", "--pid", str(child.pid), *flags], capture_output=True, text=True
        )
    finally:
        child.wait()
    if attached.returncode == 0 and out.exists() and out.stat().st_size:
        return "py-spy record --pid (attached to the running loop)"
    print(
        f"attaching failed ({attached.stderr.strip()[-300:]}); launching instead", file=sys.stderr
    )
    launched = subprocess.run([py_spy, "record", *flags, "--", *child_command(args, url)])
    if launched.returncode == 0 and out.exists() and out.stat().st_size:
        return "py-spy record -- (launched the loop itself)"
    return ""


def frames(folded: Path) -> tuple[collections.Counter[str], collections.Counter[str], int]:
    """(own samples per frame, inclusive samples per frame, all samples)."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        names = stack.split(";")
        own[names[-1]] += count
        for name in set(names):
            inclusive[name] += count
    return own, inclusive, total


def show(title: str, counts: collections.Counter[str], total: int, top: int) -> None:
    print(f"\n{title}")
    print(f"{'%':>6}  {'samples':>8}  frame")
    for name, count in counts.most_common(top):
        print(f"{100 * count / total:6.1f}  {count:8d}  {name}")


def perf_stat(args: argparse.Namespace, url: str) -> None:
    if not shutil.which("perf"):
        print("perf is not installed either (apt-get install linux-perf)", file=sys.stderr)
        return
    print(f"\nperf stat -e {PERF_EVENTS} over the same loop:")
    subprocess.run(["perf", "stat", "-e", PERF_EVENTS, "--", *child_command(args, url)])


def perf_record(args: argparse.Namespace, url: str, data: Path) -> None:
    """Every thread (Python, Go, kernel on their behalf): CPU by library, then by symbol.
    libhttpcloak.so is built stripped (-ldflags=-s -w), so its own symbols show as
    addresses; the split by library still tells Go from Python from the kernel."""
    if not shutil.which("perf"):
        return
    recorded = subprocess.run(
        [
            "perf",
            "record",
            "-e",
            "cpu-clock",
            "-F",
            "999",
            "-o",
            str(data),
            "--",
            *child_command(args, url),
        ],
        capture_output=True,
        text=True,
    )
    if recorded.returncode != 0:
        print(f"perf record failed: {recorded.stderr.strip()[-300:]}", file=sys.stderr)
        return
    for sort, title in (("dso", "library"), ("dso,sym", "symbol")):
        report = subprocess.run(
            [
                "perf",
                "report",
                "-i",
                str(data),
                "--stdio",
                "--no-children",
                "-g",
                "none",
                "--sort",
                sort,
            ],
            capture_output=True,
            text=True,
        )
        rows = [line for line in report.stdout.splitlines() if line.strip()[:1].isdigit()]
        print(f"\nperf record (cpu-clock, all threads), top by {title}:")
        print("\n".join(rows[: args.top]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", help=argparse.SUPPRESS)  # the child's own mode
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=4, help="streams read, one by one")
    parser.add_argument("--readinto", action="store_true", help="raw.readinto, not iter_content")
    parser.add_argument("--rate", type=int, default=997, help="py-spy samples per second")
    parser.add_argument("--idle", action="store_true", help="also count waiting threads")
    parser.add_argument("--native", action="store_true", help="also unwind C and Go frames")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--perf", action="store_true", help="also perf stat and perf record")
    args = parser.parse_args()
    if args.target:
        target(args.target, args.repeat, args.readinto)
        return
    with TestServer.start() as server, tempfile.TemporaryDirectory() as tmp:
        url = f"{server.http}/big/{args.size_mib << 20}"
        loop = "raw.readinto" if args.readinto else "iter_content(65536)"
        print(f"profiling {args.repeat} x {args.size_mib} MiB over plain HTTP/1.1, {loop}")
        py_spy = py_spy_binary()
        how = record(py_spy, args, url, Path(tmp) / "folded.txt") if py_spy else ""
        if how:
            own, inclusive, total = frames(Path(tmp) / "folded.txt")
            print(
                f"{how}: {total} samples at {args.rate}/s"
                f"{' including idle threads' if args.idle else ' (on-CPU only)'}"
            )
            show("top frames by own samples (where the CPU is)", own, total, args.top)
            show("top frames by inclusive samples", inclusive, total, args.top)
        if not how or args.perf:
            perf_stat(args, url)
        if args.perf:
            perf_record(args, url, Path(tmp) / "perf.data")


if __name__ == "__main__":
    main()
