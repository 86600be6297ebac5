"""The benchmark suite: ours against a Go-native loop and the peers, on two servers.

    python bench/run.py [--quick] [--samples N] [--size-mib M] [--figures 1,2,3,4,5]
                        [--servers test,nginx] [--clients LABEL,...]

Each sample is a fresh process; within each round the clients alternate. Peers run from
their own virtual environments under .venv-bench/ (made here when missing); nginx comes
from Debian (installed here when missing) and runs as our child on random loopback ports.
The Markdown report goes to stdout and bench/RESULTS-latest.md; progress goes to stderr.

--quick takes about 4 minutes here. The full run, about 80: figure 3 (8 x 1 GiB per sample,
some peers near 140 MiB/s) alone about 55, so `--figures 1,2,4,5` and `--figures 3` may be
run at separate quiet moments. Every sample is quiet-gated (harness/quiet.py): one during
which other processes took more than 5 % of the machine is taken again.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import figures, gonative, machine, nginx, peers, quiet, report, targets
from harness.clients import OURS, OURS_READINTO, Client, go_native, ours, peer
from harness.sampler import Sampler, Skips

from servers import TestServer

HERE = Path(__file__).resolve().parent
REPORT = HERE / "RESULTS-latest.md"
SAMPLE_TIMEOUT = 1800.0  # seconds; 8 x 1 GiB through a slow client over TLS takes minutes

Figure = Callable[[Sampler, figures.Settings, list[targets.Target], list[Client]], figures.Table]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 sample, 64 MiB bodies")
    parser.add_argument("--samples", type=int, help="samples per client (default 5, quick 1)")
    parser.add_argument("--size-mib", type=int, help="big body (default 1024, quick 64)")
    parser.add_argument("--figures", default="1,2,3,4,5")
    parser.add_argument("--servers", default="test,nginx")
    parser.add_argument("--clients", default="", help="only these labels (default: all)")
    parser.add_argument("--output", type=Path, default=REPORT)
    return parser.parse_args()


def peer_clients(skips: Skips, setup: list[str]) -> list[Client]:
    found = []
    for spec in peers.PEERS:
        python, reason = peers.ensure(spec.venv, spec.requirements, log)
        if python is None:
            skips.add(spec.label, "all figures", reason)
            log(f"skipping {spec.label}: {reason}")
            continue
        found.append(peer(spec.label, python, spec.script))
        setup.append(f"{spec.label} ({', '.join(spec.requirements)}): {spec.setup}")
    return found


def start_nginx(settings: figures.Settings, skips: Skips, setup: list[str]) -> nginx.Nginx | None:
    binary, reason = nginx.find_or_install(log)
    if binary is None:
        log(f"no nginx: {reason}; going on with the test server only")
        skips.add("nginx", "all figures", reason)
        return None
    try:
        server = nginx.Nginx.start(binary, settings.big, settings.small)
    except (OSError, RuntimeError, ValueError) as error:
        log(f"nginx failed to start: {error}; going on with the test server only")
        skips.add("nginx", "all figures", f"failed to start: {error}")
        return None
    version = ".".join(map(str, nginx.version(binary)))
    setup.append(
        f"nginx {version} (Debian): sendfile on, worker_processes auto, "
        "TLS 1.2/1.3 with http2, a sparse zero-filled big file and a random 64 KiB "
        "file, a throwaway CA made with openssl"
    )
    return server


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    samples = args.samples or (1 if args.quick else 5)
    size_mib = args.size_mib or (64 if args.quick else 1024)
    settings = figures.Settings(samples=samples, big=size_mib << 20)
    wanted_figures = {int(f) for f in args.figures.split(",") if f}
    servers = set(args.servers.split(","))
    only = {label.strip() for label in args.clients.split(",") if label.strip()}
    skips = Skips()
    setup = [
        f"{samples} sample(s) per client and target; big body {size_mib} MiB; "
        f"{settings.chunk // 1024} KiB reads; the servers share the client's 2 cores",
        'httpcloak (this repository): Session(preset="chrome-latest"), get(stream=True), '
        "iter_content(65536); 'httpcloak readinto' reads r.raw.readinto() into one "
        "64 KiB bytearray; Server-Sent Events via iter_events",
    ]

    clients = ours()
    go: list[Client] = []
    if wanted_figures & {1, 2, 3}:
        binary, note = gonative.build()
        if binary is None:
            skips.add("go-native", "figures 1-3", note)
        else:
            go = [go_native(binary)]
            setup.append(
                "go-native: go/cmd/goread, the same engine and preset (chrome-latest) "
                "reading the body with io.Reader into a 64 KiB buffer (figures 1-3: one body, "
                "sequential GETs, concurrent goroutines on one client)"
            )
            if note:
                setup.append(note)
    clients += peer_clients(skips, setup)
    if only:
        clients = [c for c in clients if c.label in only]
        go = [c for c in go if c.label in only]

    with tempfile.TemporaryDirectory(prefix="httpcloak-bench-") as tmp:
        sampler = Sampler(samples, SAMPLE_TIMEOUT, Path(tmp), log, skips)
        tables = run_figures(sampler, settings, wanted_figures, servers, clients, go, setup)

    setup.append(
        f"quiet gate: a sample during which other processes took more than "
        f"{quiet.QUIET_SHARE:.0%} of the machine was taken again (up to {quiet.ATTEMPTS} times, "
        f"the quietest kept): {sampler.retaken} retaken, {sampler.disturbed} kept disturbed"
    )
    setup.append(f"the whole run took {(time.monotonic() - started) / 60:.1f} min")
    command = shlex.join(["python", "bench/run.py", *sys.argv[1:]])
    text = report.render(machine.machine_line(), command, setup, tables, skips.lines())
    args.output.write_text(text)
    print(text)
    log(f"written to {args.output}")


def run_figures(
    sampler: Sampler,
    settings: figures.Settings,
    wanted: set[int],
    servers: set[str],
    clients: list[Client],
    go: list[Client],
    setup: list[str],
) -> list[figures.Table]:
    everyone = [c for c in clients if c.label != OURS_READINTO]
    plan: list[tuple[int, Figure, list[Client]]] = [
        (1, figures.throughput, go + clients),
        (2, figures.sequential, go + clients),
        (3, figures.threads, go + clients),
        (4, figures.headers, everyone),  # the read loop does not matter before the headers
        (5, figures.sse, everyone),
    ]
    tables = []
    with TestServer.start() as test_server:
        web = start_nginx(settings, sampler.skips, setup) if "nginx" in servers else None
        try:
            found: list[targets.Target] = []
            if "test" in servers:
                found += targets.of_test_server(
                    test_server, settings.big, settings.small, settings.sse_query
                )
            if web is not None:
                found += targets.of_nginx(web)
            for target in found:
                targets.warm(target)
            for number, figure, chosen in plan:
                if number in wanted:
                    log(f"== figure {number}")
                    tables.append(figure(sampler, settings, found, chosen))
        finally:
            if web is not None:
                web.stop()
    if OURS not in {c.label for c in clients}:
        setup.append(f"'{OURS}' was not run, so the ratio columns are empty")
    return tables


if __name__ == "__main__":
    main()
