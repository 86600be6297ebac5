"""httpcloak, this repository's binding (sync Session), run by the system Python."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpcloak

import clientkit


class Ours(clientkit.Adapter):
    name = "httpcloak"
    sse_how = "iter_events"

    def session(self, job: clientkit.Job) -> httpcloak.Session:
        return httpcloak.Session(
            preset="chrome-latest",
            verify=job.ca or True,
            timeout=httpcloak.Timeout(connect=30, read=300),
            # Every repeat downloads the whole file, as the peers do (no 304 from validators).
            without_conditional_cache=True,
        )

    def open(self, session: httpcloak.Session, url: str) -> httpcloak.StreamResponse:
        return session.get(url, stream=True)

    def protocol(self, response: httpcloak.StreamResponse) -> str:
        return clientkit.PROTOCOL_NAMES.get(response.protocol, response.protocol)

    def drain(self, response: httpcloak.StreamResponse, chunk: int, variant: str) -> int:
        total = 0
        if variant == "readinto":
            buffer = bytearray(chunk)
            raw = response.raw
            while n := raw.readinto(buffer):
                total += n
        else:
            for piece in response.iter_content(chunk):
                total += len(piece)
        return total

    def sse_payloads(self, response: Any) -> Iterator[str]:
        for event in response.iter_events():
            yield event.data.split("\n", 1)[0]


if __name__ == "__main__":
    clientkit.main(Ours())
