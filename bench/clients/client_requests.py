"""requests (urllib3; HTTP/1.1 only, also over TLS), in its own venv."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import clientkit

requests: Any = importlib.import_module("requests")


class Requests(clientkit.Adapter):
    name = "requests"
    thread_safe_session = False  # not documented as thread-safe: one Session per thread

    def __init__(self) -> None:
        self.verify: str | bool = True

    def session(self, job: clientkit.Job) -> Any:
        # Per request: a Session's verify loses to REQUESTS_CA_BUNDLE from the environment.
        self.verify = job.ca or True
        return requests.Session()

    def open(self, session: Any, url: str) -> Any:
        return session.get(url, stream=True, timeout=(30, 600), verify=self.verify)

    def protocol(self, response: Any) -> str:
        return {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(response.raw.version, "?")

    def drain(self, response: Any, chunk: int, variant: str) -> int:
        total = 0
        for piece in response.iter_content(chunk):
            total += len(piece)
        return total

    def lines(self, response: Any) -> Iterator[str | bytes]:
        yield from response.iter_lines()


if __name__ == "__main__":
    clientkit.main(Requests())
