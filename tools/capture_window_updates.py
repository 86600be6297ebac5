"""Record how a browser acknowledges a large HTTP/2 body: its WINDOW_UPDATE frames.

    python tools/capture_window_updates.py [--size-mib 64] [--browser chromium]

Serves one text/plain body of --size-mib MiB from a raw HTTP/2 server on 127.0.0.1 (tests/
h2_flow.py: 16 KiB DATA frames, never past the browser's windows; SETTINGS_INITIAL_WINDOW_SIZE
65536 like nginx), loads it in headless Chromium and writes every WINDOW_UPDATE the browser sent
from the first DATA frame on (stream, increment, body bytes sent before, seconds) to
tests/fixtures/browsers/<browser>-<version>/window-updates.json. The browser's own windows
are in its SETTINGS and first WINDOW_UPDATE (the connection captures beside it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from h2_flow import WindowUpdate, serve_counted_body  # noqa: E402

from raw_h2 import Peer, RawH2Server  # noqa: E402
from servers import TestServer  # noqa: E402


def chromium_version() -> str:
    out = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout
    return out.split()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--browser", default="chromium", choices=["chromium"])
    args = parser.parse_args()
    size = args.size_mib << 20
    seen: list[list[WindowUpdate]] = []

    def handler(peer: Peer, index: int) -> None:
        seen.append(serve_counted_body(peer, size))

    version = chromium_version()
    with TestServer.start() as server, RawH2Server(server.server_pem, handler) as raw:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [
                    "chromium",
                    "--headless",
                    "--no-sandbox",
                    "--ignore-certificate-errors",
                    f"--user-data-dir={profile}",
                    "--no-first-run",
                    "--dump-dom",
                    raw.url + "/",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=300,
                check=False,
            )
    updates = max(seen, key=len, default=[])
    if not updates:
        print("the browser sent no WINDOW_UPDATE after the body started", file=sys.stderr)
        return 1
    record = {
        "browser": args.browser,
        "version": version,
        "tool": "tools/capture_window_updates.py",
        "body_bytes": size,
        "server_initial_window": 65536,
        "window_updates": [u.to_json() for u in updates],
    }
    out = ROOT / "tests" / "fixtures" / "browsers" / f"chromium-{version}" / "window-updates.json"
    out.write_text(json.dumps(record, indent=1) + "\n")
    streams = [u.increment for u in updates if u.stream]
    conns = [u.increment for u in updates if not u.stream]
    print(
        f"{out}: {len(streams)} stream updates (min {min(streams, default=0)}), "
        f"{len(conns)} connection updates (min {min(conns, default=0)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
