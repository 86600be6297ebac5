"""Runs an example against a base URL given on the command line, or else against the
project's test server started on loopback (so every example works with no network)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from httpcloak.testing import TestServer

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
