"""primp (Rust), impersonating Chrome, in its own venv."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import clientkit

primp: Any = importlib.import_module("primp")


class Primp(clientkit.Adapter):
    name = "primp"

    def session(self, job: clientkit.Job) -> Any:
        if job.ca:
            return primp.Client(impersonate="chrome_146", ca_cert_file=job.ca, timeout=600)
        return primp.Client(impersonate="chrome_146", timeout=600)

    def close_session(self, session: Any) -> None:
        pass  # no close(); dropped with the process

    def open(self, session: Any, url: str) -> Any:
        return session.get(url, stream=True)

    def drain(self, response: Any, chunk: int, variant: str) -> int:
        total = 0
        for piece in response.iter_bytes(chunk):
            total += len(piece)
        return total

    def lines(self, response: Any) -> Iterator[str | bytes]:
        yield from response.iter_lines()


if __name__ == "__main__":
    clientkit.main(Primp())
