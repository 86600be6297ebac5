"""Runs an example against a base URL given on the command line, or else against the
project's test server started on loopback (so every example works with no network).

The test server comes with a source checkout of httpcloak, not with the wheel: it is built
from go/testserver with Go on first use (tests/servers.py starts it). With an installed
wheel alone, give an example the URL of a server instead, or point $HTTPCLOAK_TESTSERVER at
a test server binary built from a checkout (`python build_go.py --testserver`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import RedisServer, TestServer  # noqa: E402

__all__ = ["RedisServer", "TestServer", "run", "run_local"]

Example = Callable[[str, "bool | str"], None]


def run(example: Example) -> None:
    if len(sys.argv) > 1:
        example(sys.argv[1].rstrip("/"), True)
        return
    with TestServer.start() as server:
        example(server.https, server.ca)


def run_local(example: Callable[[TestServer], None]) -> None:
    """For examples that need the test server's own parts (its proxies, its plain-HTTP port):
    they always run against the loopback test server."""
    with TestServer.start() as server:
        example(server)
