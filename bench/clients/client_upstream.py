"""httpcloak 1.7.3 from PyPI (the upstream binding), run by its own venv's Python.

Its module is also named httpcloak, hence the import by name at run time (mypy would
otherwise check it against this repository's package). What its wheel shows (client.py):
ctypes over a bundled libhttpcloak; ``get(url, stream=True)`` returns a StreamResponse whose
``iter_content(chunk_size)`` makes one C call per chunk returning the chunk base64-encoded in
a C string, decoded in Python; ``iter_lines`` splits iter_content on b"\\n"; no raw/readinto.
``verify`` is a bool only (no CA bundle option); its Go engine reads SSL_CERT_FILE, so the
job's CA goes there before the library loads and verification stays on.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import clientkit

_CA = clientkit.Job.parse(sys.argv[1]).ca
if _CA:
    os.environ["SSL_CERT_FILE"] = _CA  # read by Go's crypto/x509 when the library loads
upstream: Any = importlib.import_module("httpcloak")


class Upstream(clientkit.Adapter):
    name = "httpcloak 1.7.3"

    def session(self, job: clientkit.Job) -> Any:
        # timeout is in seconds here; http_version "auto" could race HTTP/3 against the test
        # server's UDP listener, so TLS runs ask for h2 as the other clients get it by ALPN.
        return upstream.Session(
            preset="chrome-latest",
            verify=True,
            timeout=600,
            http_version="h2" if job.url.startswith("https:") else "auto",
            without_conditional_cache=True,  # every repeat downloads the whole file
        )

    def open(self, session: Any, url: str) -> Any:
        return session.get(url, stream=True)

    def protocol(self, response: Any) -> str:
        return clientkit.PROTOCOL_NAMES.get(response.protocol, str(response.protocol))

    def drain(self, response: Any, chunk: int, variant: str) -> int:
        total = 0
        for piece in response.iter_content(chunk):
            total += len(piece)
        return total

    def lines(self, response: Any) -> Iterator[str | bytes]:
        yield from response.iter_lines()


if __name__ == "__main__":
    clientkit.main(Upstream())
