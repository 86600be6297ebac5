"""wreq (Rust, BoringSSL), blocking client emulating Chrome, in its own venv."""

from __future__ import annotations

import datetime
import importlib
from pathlib import Path
from typing import Any

import clientkit

wreq: Any = importlib.import_module("wreq")
blocking: Any = importlib.import_module("wreq.blocking")


class Wreq(clientkit.Adapter):
    name = "wreq"

    def session(self, job: clientkit.Job) -> Any:
        verify: Path | bool = Path(job.ca) if job.ca else True
        return blocking.Client(
            emulation=wreq.Emulation(profile=wreq.Profile.Chrome137),
            tls_verify=verify,
            read_timeout=datetime.timedelta(seconds=600),
        )

    def open(self, session: Any, url: str) -> Any:
        return session.get(url)

    def status(self, response: Any) -> int:
        return int(response.status.as_int())

    def protocol(self, response: Any) -> str:
        name = str(response.version).rsplit(".", 1)[-1]  # Version.HTTP_2
        return {"HTTP_11": "HTTP/1.1", "HTTP_2": "HTTP/2", "HTTP_3": "HTTP/3"}.get(name, name)

    def drain(self, response: Any, chunk: int, variant: str) -> int:
        # Its stream yields memoryviews as they arrive; it takes no read size.
        total = 0
        with response.stream() as streamer:
            for piece in streamer:
                if isinstance(piece, memoryview):
                    total += len(piece)
        return total

    def close(self, response: Any) -> None:
        # `with` semantics: a fully read connection goes back to the pool (close() would
        # mark it non-reusable).
        response.__exit__(None, None, None)


if __name__ == "__main__":
    clientkit.main(Wreq())
