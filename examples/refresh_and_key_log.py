"""refresh(), local address binding and a TLS key log (upstream's 14_new_features.py):
refresh() drops the connections and keeps the TLS session cache, so the next handshake
resumes, as a browser's after a reload."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpcloak

from _runner import run


def new_features(base: str, verify: bool | str) -> None:
    url = base.replace("127.0.0.1", "localhost") + "/fingerprint"  # a name: SNI, tickets
    with httpcloak.Session(verify=verify, timeout=30) as s:
        print("first request resumed:", s.get(url).json()["resumed"])
        s.refresh()
        print("after refresh resumed:", s.get(url).json()["resumed"])
    with httpcloak.Session(verify=verify, local_address="127.0.0.1") as s:
        print("bound to 127.0.0.1:", s.get(f"{base}/get").json()["remote"].startswith("127.0.0.1:"))
    with tempfile.TemporaryDirectory() as folder:
        keylog = Path(folder) / "keylog.txt"
        with httpcloak.Session(verify=verify, key_log_file=str(keylog)) as s:
            s.get(url)
        lines = keylog.read_text().splitlines()
        print("key log lines:", len(lines) > 0, lines[0].split()[0])


if __name__ == "__main__":
    run(new_features)
