"""A big download in flat memory, with a progress line (size known or not)."""

from __future__ import annotations

import sys
import tempfile
import time

import httpcloak

from _runner import run


def download(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s, s.get(f"{base}/big/{64 << 20}", stream=True) as r:
        r.raise_for_status()
        total = r.content_length  # -1 when the server does not say
        started = time.monotonic()
        with tempfile.TemporaryFile() as f:
            for chunk in r.iter_content(1 << 16):
                f.write(chunk)
                done = r.num_bytes_downloaded
                rate = done / max(time.monotonic() - started, 1e-9) / 2**20
                share = f"{100 * done / total:5.1f}%" if total > 0 else f"{done >> 20} MiB"
                print(f"\r{share} at {rate:,.0f} MiB/s", end="", file=sys.stderr)
        print(file=sys.stderr)
    print(f"downloaded {r.num_bytes_downloaded} bytes")


if __name__ == "__main__":
    run(download)
