"""Save a session (cookies and TLS session tickets) and resume it in another process: the
second process's TLS handshake resumes, as a returning browser's does."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import httpcloak

from _runner import run

CHILD = """
import json, sys
import httpcloak
with httpcloak.Session.load(sys.argv[1]) as s:
    seen = s.get(sys.argv[2]).json()
    print(json.dumps({"resumed": seen["resumed"], "cookies": dict(s.cookies)}))
"""


def resume(base: str, verify: bool | str) -> None:
    url = base.replace("127.0.0.1", "localhost") + "/fingerprint"  # a host name: SNI is sent
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "session.json"
        with httpcloak.Session(verify=verify) as s:
            s.get(base.replace("127.0.0.1", "localhost") + "/cookies/set?visited=yes")
            print("first visit resumed:", s.get(url).json()["resumed"])
            s.save(path)
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), url], capture_output=True, text=True
        )
        if child.returncode != 0:
            raise SystemExit(child.stderr)
        print("another process:", json.loads(child.stdout))


if __name__ == "__main__":
    run(resume)
