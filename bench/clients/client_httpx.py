"""httpx with h2 (HTTP/2 on), in its own venv."""

from __future__ import annotations

import importlib
import ssl
from collections.abc import Iterator
from typing import Any

import clientkit

httpx: Any = importlib.import_module("httpx")


class Httpx(clientkit.Adapter):
    name = "httpx"

    def session(self, job: clientkit.Job) -> Any:
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=job.ca) if job.ca else True
        )
        return httpx.Client(http2=True, verify=verify, timeout=httpx.Timeout(600))

    def open(self, session: Any, url: str) -> Any:
        return session.send(session.build_request("GET", url), stream=True)

    def protocol(self, response: Any) -> str:
        return str(response.http_version)

    def drain(self, response: Any, chunk: int, variant: str) -> int:
        total = 0
        for piece in response.iter_bytes(chunk):
            total += len(piece)
        return total

    def lines(self, response: Any) -> Iterator[str | bytes]:
        yield from response.iter_lines()


if __name__ == "__main__":
    clientkit.main(Httpx())
