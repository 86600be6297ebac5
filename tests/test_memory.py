"""A big streamed body keeps memory flat (a generous bound; bench/ has the real figures)."""

from __future__ import annotations

import subprocess
import sys

from servers import TestServer

PEAK_RSS_BOUND_MIB = 120

# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child of a big pytest
# process would report its parent's size.
STREAM_AND_REPORT_RSS = """
import re, sys, httpcloak
url = sys.argv[1]
total = 0
with httpcloak.Session(verify=sys.argv[2]) as s, s.get(url, stream=True) as r:
    for chunk in r.iter_content(65536):
        total += len(chunk)
with open("/proc/self/status") as status:
    peak_kib = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
print(total, peak_kib // 1024)
"""


def _stream_in_fresh_process(url: str, ca: str) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", STREAM_AND_REPORT_RSS, url, ca],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    total, peak_mib = map(int, done.stdout.split())
    return total, peak_mib


def test_one_gib_stream_keeps_peak_rss_flat(server: TestServer) -> None:
    size = 1 << 30
    for base in (server.http, server.https):
        total, peak_mib = _stream_in_fresh_process(f"{base}/big/{size}", server.ca)
        assert total == size
        assert peak_mib < PEAK_RSS_BOUND_MIB, f"peak RSS {peak_mib} MiB streaming 1 GiB from {base}"
