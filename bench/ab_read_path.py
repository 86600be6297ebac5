"""A/B of the read path: this tree against another checkout, interleaved, with wake-up counts.

    python bench/ab_read_path.py --base /work/perf-base [--rounds 3] [--size-mib 1024]
                                 [--protocols h1,h2] [--strace] [--peer PYTHON]
                                 [--goread build/goread] [--gets N] [--nginx]

Each sample is a fresh child process that streams /big/{size} from the loopback test server
with ``iter_content(65536)``; the trees alternate within each round (base, this, base, ...), so
a machine that is busy with other work disturbs both alike. Per sample it reports MiB/s, the
child's CPU seconds per GiB (user + system, every thread) and the machine's load while it ran
(the other processes' share of /proc/stat's busy time); with --strace, also futex calls and
voluntary context switches per GiB (``strace -f -c -e trace=futex`` slows the run, so its
speeds are not comparable with the plain ones). --peer runs primp from that Python too (a
venv of bench/run.py's peers, .venv-bench/primp/bin/python) as the reference of a client that
reads on the calling thread, --goread the Go engine alone. --gets N measures N sequential
64 KiB GETs (/bytes/65536, one session, stream=True and iter_content as figure 2 reads
them) per sample instead: requests per second, and CPU seconds and switches per thousand
requests. --nginx reads from nginx (sendfile, little CPU
of its own; bench/harness/nginx.py) instead of the test server. The tree's library must be built
(``python build_go.py`` there).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import machine  # also puts tests/ on sys.path
from harness import nginx as nginx_server

from servers import TestServer

HERE = Path(__file__).resolve().parent
CHUNK = 65536

OURS = """
import json, resource, sys, time, httpcloak
url, ca = sys.argv[1], sys.argv[2]
with httpcloak.Session(verify=ca, timeout=httpcloak.Timeout(connect=30, read=300)) as s:
    start = time.perf_counter()
    total = 0
    with s.get(url, stream=True) as r:
        for piece in r.iter_content(CHUNK):
            total += len(piece)
    took = time.perf_counter() - start
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"bytes": total, "seconds": took, "cpu": u.ru_utime + u.ru_stime,
                  "nvcsw": u.ru_nvcsw, "proto": r.protocol}))
""".replace("CHUNK", str(CHUNK))

# N sequential GETs of a 64 KiB body; "bytes" counts requests so the per-GiB columns read
# per thousand requests once scaled (see sample()).
OURS_GETS = """
import json, resource, sys, time, httpcloak
url, ca, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with httpcloak.Session(verify=ca, without_conditional_cache=True) as s:  # nginx sends validators
    def one():  # as figure 2 reads them
        received = 0
        with s.get(url, stream=True) as r:
            for piece in r.iter_content(65536):
                received += len(piece)
        assert received == 65536
    for _ in range(20):  # the connection, outside the timing
        one()
    start = time.perf_counter()
    for _ in range(n):
        one()
    took = time.perf_counter() - start
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"requests": n, "seconds": took, "cpu": u.ru_utime + u.ru_stime,
                  "nvcsw": u.ru_nvcsw, "proto": "?"}))
"""

PRIMP = """
import json, resource, sys, time, primp
url, ca = sys.argv[1], sys.argv[2]
c = primp.Client(impersonate="chrome_146", ca_cert_file=ca, timeout=600)
start = time.perf_counter()
total = 0
r = c.get(url, stream=True)
for piece in r.iter_bytes(CHUNK):
    total += len(piece)
took = time.perf_counter() - start
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"bytes": total, "seconds": took, "cpu": u.ru_utime + u.ru_stime,
                  "nvcsw": u.ru_nvcsw, "proto": "?"}))
""".replace("CHUNK", str(CHUNK))

# The Go engine alone (go/cmd/goread, built by bench/run.py or `go build -o build/goread
# ./cmd/goread` in go/): the same JSON line, its rusage taken as the child's.
GOREAD = """
import json, resource, subprocess, sys
url, ca = sys.argv[1], sys.argv[2]
argv = [GOREAD_BINARY, "-url", url, "-ca", ca, "-chunk", "CHUNK"]
out = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"bytes": out["bytes"], "seconds": out["seconds"], "cpu": out["cpu_seconds"],
                  "nvcsw": u.ru_nvcsw, "proto": out["protocol"]}))
"""


def busy_jiffies() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def futex_calls(strace_out: str) -> int:
    for line in strace_out.splitlines():
        cols = line.split()
        if cols and cols[-1] == "futex":
            return int(cols[3]) if len(cols) >= 5 else int(cols[2])
    return 0


def sample(
    python: str, script: str, tree: Path | None, url: str, ca: str, strace: bool, *extra: str
) -> dict[str, Any]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    argv = [python, "-c", script, url, ca, *extra]
    with tempfile.NamedTemporaryFile(suffix=".strace") as trace:
        if strace:
            argv = ["strace", "-f", "-c", "-e", "trace=futex", "-o", trace.name, *argv]
        busy0, all0 = busy_jiffies()
        # Not in a checkout: `python -c` puts the working directory first on sys.path.
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=900, cwd=tempfile.gettempdir()
        )
        busy1, all1 = busy_jiffies()
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().splitlines()[-1:])
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        if strace:
            result["futex"] = futex_calls(Path(trace.name).read_text())
    cores = os.cpu_count() or 1
    if "requests" in result:
        return per_request(result, busy1 - busy0, all1 - all0, cores)
    gib = result["bytes"] / (1 << 30)
    # Busy share of all cores minus what the child itself used: the rest is other load.
    window = (all1 - all0) or 1
    result["others"] = max(
        0.0, (busy1 - busy0) / window - result["cpu"] / (result["seconds"] * cores)
    )
    result["mibs"] = result["bytes"] / (1 << 20) / result["seconds"]
    result["cpu_per_gib"] = result["cpu"] / gib
    result["csw_per_gib"] = result["nvcsw"] / gib
    if "futex" in result:
        result["futex_per_gib"] = result["futex"] / gib
    return result


def per_request(result: dict[str, Any], busy: int, window: int, cores: int) -> dict[str, Any]:
    """A --gets sample's figures: requests per second; CPU and switches per 1000 requests."""
    thousands = result["requests"] / 1000
    result["others"] = max(0.0, busy / (window or 1) - result["cpu"] / (result["seconds"] * cores))
    result["rps"] = result["requests"] / result["seconds"]
    result["cpu_per_k"] = result["cpu"] / thousands
    result["csw_per_k"] = result["nvcsw"] / thousands
    if "futex" in result:
        result["futex_per_k"] = result["futex"] / thousands
    return result


def summary(rows: list[dict[str, Any]]) -> str:
    def med(key: str) -> float:
        values = [r[key] for r in rows if key in r]
        return statistics.median(values) if values else float("nan")

    if any("rps" in r for r in rows):
        text = f"{med('rps'):7.0f} GETs/s  cpu {med('cpu_per_k'):.3f} s/1000"
        text += f"  vcsw {med('csw_per_k'):6.0f}/1000"
        if any("futex" in r for r in rows):
            text += f"  futex {med('futex_per_k'):6.0f}/1000"
        return text + f"  others' load {med('others') * 100:.0f} %"
    text = f"{med('mibs'):7.0f} MiB/s  cpu {med('cpu_per_gib'):.2f} s/GiB"
    text += f"  vcsw {med('csw_per_gib'):7.0f}/GiB"
    if any("futex" in r for r in rows):
        text += f"  futex {med('futex_per_gib'):7.0f}/GiB"
    return text + f"  others' load {med('others') * 100:.0f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other checkout (built)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--protocols", default="h1,h2")
    parser.add_argument("--strace", action="store_true")
    parser.add_argument("--peer", help="a Python with primp installed")
    parser.add_argument("--goread", type=Path, help="the Go engine alone (build/goread)")
    parser.add_argument("--gets", type=int, default=0, help="N 64 KiB GETs per sample instead")
    parser.add_argument("--nginx", action="store_true", help="read from nginx, not the test server")
    args = parser.parse_args()
    this = HERE.parent
    ours = OURS_GETS if args.gets else OURS
    contenders: list[tuple[str, str, str, Path | None]] = [
        ("base", sys.executable, ours, args.base.resolve()),
        ("this", sys.executable, ours, this),
    ]
    if args.gets and (args.peer or args.goread):
        parser.error("--gets compares the two trees only")
    if args.peer:
        contenders.append(("primp", args.peer, PRIMP, None))
    if args.goread:
        script = GOREAD.replace("GOREAD_BINARY", repr(str(args.goread.resolve())))
        contenders.append(("goread", sys.executable, script.replace("CHUNK", str(CHUNK)), None))
    print(machine.machine_line(), file=sys.stderr)
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(TestServer.start())
        bases, ca = {"h1": server.http, "h2": server.https}, server.ca
        big, small = f"/big/{args.size_mib << 20}", "/bytes/65536"
        if args.nginx:
            binary, why = nginx_server.find_or_install(lambda line: print(line, file=sys.stderr))
            if binary is None:
                parser.error(why)
            web = nginx_server.Nginx.start(binary, args.size_mib << 20, 65536)
            stack.callback(web.stop)
            bases, ca = {"h1": web.http, "h2": web.https}, web.ca
            big, small = f"/{nginx_server.BIG}", f"/{nginx_server.SMALL}"
        for rnd in range(args.rounds):
            for proto in args.protocols.split(","):
                url = f"{bases[proto]}{big}"
                extra: list[str] = []
                if args.gets:
                    url, extra = f"{bases[proto]}{small}", [str(args.gets)]
                # Alternate who goes first: a machine whose speed drifts favours neither.
                order = contenders if rnd % 2 == 0 else [*contenders[1::-1], *contenders[2:]]
                for label, python, script, tree in order:
                    row = sample(python, script, tree, url, ca, args.strace, *extra)
                    results.setdefault((proto, label), []).append(row)
                    print(f"round {rnd + 1} {proto} {label:5}: {summary([row])}", file=sys.stderr)
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine.machine_line()}")
    what = f"{args.gets} GETs of 64 KiB" if args.gets else f"{args.size_mib} MiB, chunk {CHUNK}"
    print(
        f"medians of {args.rounds} interleaved samples, {what}"
        + (", under strace" if args.strace else "")
    )
    for (proto, label), rows in results.items():
        print(f"{proto} {label:5}: {summary(rows)}")
    speed = "rps" if args.gets else "mibs"
    cpu = "cpu_per_k" if args.gets else "cpu_per_gib"
    for proto in args.protocols.split(","):
        before, after = results[(proto, "base")], results[(proto, "this")]
        base = statistics.median(r[speed] for r in before)
        new = statistics.median(r[speed] for r in after)
        # Each round's pair ran back to back: its ratio is spared the drift between rounds.
        paired = statistics.median(a[speed] / b[speed] for b, a in zip(before, after, strict=True))
        cpu_ratio = statistics.median(r[cpu] for r in after) / statistics.median(
            r[cpu] for r in before
        )
        print(
            f"{proto} this/base speed ratio: {new / base:.2f}x (paired {paired:.2f}x), "
            f"CPU ratio {cpu_ratio:.3f}"
        )


if __name__ == "__main__":
    main()
