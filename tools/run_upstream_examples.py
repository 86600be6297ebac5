"""Run the upstream binding's own Python examples, unchanged, against this package.

    pip install -e '.[upstream-examples]'     # httpbin and gunicorn
    python tools/run_upstream_examples.py /path/to/upstream/examples/python-examples

The upstream repository stays outside ours (none of its files are committed here). Each
script is copied to a temporary directory with one change: ``https://httpbin.org`` becomes
the URL of a local httpbin (PyPI ``httpbin`` under gunicorn, on loopback). Scripts that also
reach other hosts of the internet cannot pass on a machine without one; they are reported
as such, with the hosts, and exempt (docs/parity.md lists them). A few scripts stop on
purpose, at a known line (DIFFERS, with the reason and our counterpart). Exit status 1 when
any other script that needs only httpbin fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HTTPBIN = "https://httpbin.org"
URL = re.compile(r"https?://([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# Hosts the upstream examples use as placeholders (never dialled when they run as written).
PLACEHOLDERS = {
    "example.com",
    "proxy1.example.com",
    "proxy2.example.com",
    "proxy3.example.com",
    "tcp-proxy.example.com",
}


# Scripts that stop here on purpose: (what their last line says, why).
DIFFERS = {
    "06_fast_downloads.py": (
        "not memoryview",
        "fails on upstream's binding too: json.loads takes no memoryview "
        "(examples/fast_downloads.py uses r.json())",
    ),
    "13_local_proxy.py": (
        "403 Forbidden",
        "our LocalProxy refuses loopback targets unless allow_private_networks=True "
        "(examples/local_proxy.py)",
    ),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def local_httpbin() -> Iterator[str]:
    """httpbin under gunicorn on loopback, for as long as the block runs."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-k", "gthread"]
        + ["--threads", "16", "httpbin:app"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("httpbin did not start: pip install -e '.[upstream-examples]'")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def internet_hosts(source: str) -> list[str]:
    """The hosts besides httpbin.org a script dials."""
    hosts = {m.group(1) for m in URL.finditer(source)} - {"httpbin.org"} - PLACEHOLDERS
    return sorted(hosts)


def run(script: Path, base: str, workdir: Path, timeout: float) -> tuple[bool, list[str]]:
    local = workdir / script.name
    local.write_text(script.read_text().replace(HTTPBIN, base))
    try:
        done = subprocess.run(
            [sys.executable, local.name],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except subprocess.TimeoutExpired:
        return False, [f"no exit within {timeout:.0f} s"]
    return done.returncode == 0, (done.stdout + done.stderr).strip().splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("examples", type=Path, help="upstream's examples/python-examples")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    scripts = sorted(args.examples.glob("[0-9][0-9]_*.py"))
    if not scripts:
        raise SystemExit(f"no NN_*.py scripts in {args.examples}")
    failed = 0
    with local_httpbin() as base, tempfile.TemporaryDirectory() as tmp:
        for script in scripts:
            started = time.monotonic()
            ok, output = run(script, base, Path(tmp), args.timeout)
            last = output[-1] if output else ""
            # Exempt only when what stopped it was reaching one of those hosts.
            unreachable = [h for h in internet_hosts(script.read_text()) if h in last]
            expected = DIFFERS.get(script.name)
            if ok:
                verdict = "passed"
            elif expected is not None and expected[0] in last:
                verdict = f"differs on purpose: {expected[1]}"
            elif unreachable:
                verdict = f"exempt (needs the internet: {', '.join(unreachable)})"
            else:
                verdict = "FAILED"
                failed += 1
            took = time.monotonic() - started
            print(f"{script.name:34} {verdict} [{took:.1f} s]")
            if not ok:
                print(f"    last line: {last}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
