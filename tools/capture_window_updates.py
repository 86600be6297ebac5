"""Record how a browser acknowledges a large HTTP/2 body: its WINDOW_UPDATE frames.

    python tools/capture_window_updates.py [--size-mib 64] [--browser chromium|firefox-esr]

Serves one text/plain body of --size-mib MiB from a raw HTTP/2 server on 127.0.0.1 (tests/
h2_flow.py: 16 KiB DATA frames, never past the browser's windows; SETTINGS_INITIAL_WINDOW_SIZE
65536 like nginx), loads it in headless Chromium (or Firefox ESR, with a fresh profile that
trusts the test CA, stopped once the body is sent) and writes every WINDOW_UPDATE the browser sent
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
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from capture_browsers import FIREFOX_PREFS, stop_process_group, trust_ca  # noqa: E402
from h2_flow import WindowUpdate, serve_counted_body  # noqa: E402

from raw_h2 import Peer, RawH2Server  # noqa: E402
from servers import TestServer  # noqa: E402


def browser_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    # "Chromium 156.0.8078.129 built on ...", "Mozilla Firefox 153.8.0esr"
    return next(word for word in out.split() if word[:1].isdigit())


def run_chromium(url: str, done: threading.Event) -> None:
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
                url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )


def run_firefox(url: str, done: threading.Event, ca: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp)
        trust_ca(profile, ca)
        lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in FIREFOX_PREFS.items()]
        (profile / "user.js").write_text("\n".join(lines) + "\n")
        browser = subprocess.Popen(
            ["firefox-esr", "--headless", "--no-remote", "--new-instance", "--profile", tmp, url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            done.wait(timeout=300)
        finally:
            stop_process_group(browser)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--browser", default="chromium", choices=["chromium", "firefox-esr"])
    args = parser.parse_args()
    size = args.size_mib << 20
    seen: list[list[WindowUpdate]] = []
    done = threading.Event()

    def handler(peer: Peer, index: int) -> None:
        updates = serve_counted_body(peer, size)
        seen.append(updates)
        if updates:
            done.set()

    version = browser_version(args.browser)
    with TestServer.start() as server, RawH2Server(server.server_pem, handler) as raw:
        url = raw.url.replace("127.0.0.1", "localhost") + "/"
        if args.browser == "chromium":
            run_chromium(url, done)
        else:
            run_firefox(url, done, Path(server.ca))
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
    out = ROOT / "tests" / "fixtures" / "browsers" / f"{args.browser}-{version}"
    out /= "window-updates.json"
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
