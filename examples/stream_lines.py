"""Stream a response line by line: the seed page's Python example.

    python examples/stream_lines.py [URL]

Without a URL it starts the project's test server on loopback and streams /stream/10
from it, so it runs on a machine with no network (the test server is built from a source
checkout with Go: see examples/_runner.py).
"""

from __future__ import annotations

import sys

import httpcloak

from _runner import TestServer


def stream_lines(url: str, verify: bool | str = True) -> int:
    with httpcloak.Session(preset="chrome-latest", verify=verify) as s:
        with s.get(url, stream=True) as r:
            print("status:", r.status_code, "protocol:", r.protocol)
            print("content-length:", r.content_length)  # -1 if chunked
            n = 0
            for line in r.iter_lines():
                n += 1
                print(f"chunk {n}: {line.decode()}")
    print(f"got {n} lines")
    return n


def main() -> None:
    if len(sys.argv) > 1:
        stream_lines(sys.argv[1])
        return
    with TestServer.start() as server:
        stream_lines(f"{server.https}/stream/10", verify=server.ca)


if __name__ == "__main__":
    main()
