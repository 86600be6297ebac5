"""zstd responses may use a window of at most 8 MiB (RFC 9659, as browsers enforce): a frame
asking for more is a ProtocolError, so a small response cannot claim hundreds of MiB."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

import httpcloak

from servers import TestServer

MiB = 1 << 20
PEAK_RSS_BOUND_MIB = 120  # a fresh process decoding a bomb; 545 MiB before the cap

BOMB_AND_REPORT = """
import json, re, sys, httpcloak
total, error = 0, None
try:
    with httpcloak.Session() as s, s.get(sys.argv[1], stream=True) as r:
        for chunk in r.iter_content(65536):
            total += len(chunk)
except httpcloak.HTTPCloakError as e:
    error = [type(e).__name__, str(e)]
with open("/proc/self/status") as status:
    peak_kib = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
print(json.dumps({"total": total, "error": error, "peak_mib": peak_kib // 1024}))
"""


def _compressed(base: str, window: int) -> str:
    return f"{base}/compressed?encoding=zstd&size=300000&zstd_window={window}"


def test_a_window_over_8_mib_is_refused(session: httpcloak.Session, base_url: str) -> None:
    url = _compressed(base_url, 16 * MiB)
    with pytest.raises(httpcloak.ProtocolError, match="window over 8 MiB"):
        session.get(url)
    with session.get(url, stream=True) as r:
        assert r.status_code == 200  # the headers were fine; the body is what fails
        with pytest.raises(httpcloak.ProtocolError, match="RFC 9659"):
            r.read()


def test_a_window_of_8_mib_still_decodes(session: httpcloak.Session, base_url: str) -> None:
    r = session.get(_compressed(base_url, 8 * MiB))
    assert len(r.content) == int(r.headers["x-uncompressed-length"])
    assert hashlib.sha256(r.content).hexdigest() == r.headers["x-uncompressed-sha256"]


def _bomb_in_fresh_process(url: str) -> tuple[int, str | None, int]:
    """(bytes decoded, the exception's class name or None, peak RSS in MiB)."""
    done = subprocess.run(
        [sys.executable, "-c", BOMB_AND_REPORT, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    error = report["error"][0] if report["error"] else None
    return int(report["total"]), error, int(report["peak_mib"])


def test_a_small_bomb_keeps_memory_small(server: TestServer) -> None:
    # ~40 KB on the wire that decode to 1 GiB of zeros; its frame declares a 512 MiB window.
    total, error, peak_mib = _bomb_in_fresh_process(f"{server.http}/zstd-bomb?window={512 * MiB}")
    assert (total, error) == (0, "ProtocolError")
    assert peak_mib < PEAK_RSS_BOUND_MIB
    # The same zeros with an 8 MiB window are a legitimate body: decoded whole, memory flat.
    size = 256 * MiB
    total, error, peak_mib = _bomb_in_fresh_process(
        f"{server.http}/zstd-bomb?window={8 * MiB}&size={size}"
    )
    assert (total, error) == (size, None)
    assert peak_mib < PEAK_RSS_BOUND_MIB
