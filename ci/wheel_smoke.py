"""Stream from the test server with an installed httpcloak (a wheel in a fresh venv).

.venv-wheel/bin/python ci/wheel_smoke.py build/testserver
(or HTTPCLOAK_TESTSERVER=build/testserver; an argument works in every shell, Windows too)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpcloak

# The test server's launcher comes with the checkout (the wheel has no Go source to build).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import TestServer  # noqa: E402


def main() -> None:
    if len(sys.argv) > 1:
        os.environ["HTTPCLOAK_TESTSERVER"] = sys.argv[1]
    assert "site-packages" in httpcloak.__file__, f"not the installed wheel: {httpcloak.__file__}"
    with TestServer.start() as server, httpcloak.Session(verify=server.ca) as s:
        for base in (server.http, server.https):
            with s.get(f"{base}/stream/10", stream=True) as r:
                lines = list(r.iter_lines())
            assert r.status_code == 200 and len(lines) == 10, (r, lines)
            print(f"wheel smoke: {r.protocol} streamed {len(lines)} lines from {base}")


if __name__ == "__main__":
    main()
