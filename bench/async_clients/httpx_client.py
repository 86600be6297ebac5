"""httpx.AsyncClient (HTTP/1.1; HTTP/2 through the h2 package when the URL is https)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import main  # noqa: E402

# Loaded by name: httpx lives only in the benchmark's peer venv, untyped here.
httpx: Any = importlib.import_module("httpx")

_clients: dict[str, Any] = {}


def _client(ca: str) -> Any:
    if ca not in _clients:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        _clients[ca] = httpx.AsyncClient(
            verify=ca or True, http2=bool(ca), timeout=60, limits=limits
        )
    return _clients[ca]


async def sse(url: str, ca: str, on_event: Callable[[bytes], None]) -> None:
    async with _client(ca).stream("GET", url) as r:
        async for line in r.aiter_lines():
            if line.startswith("data: {"):
                on_event(line[6:].encode())


async def download(url: str, ca: str) -> int:
    total = 0
    async with _client(ca).stream("GET", url) as r:
        async for chunk in r.aiter_raw(65536):
            total += len(chunk)
    return total


if __name__ == "__main__":
    main(sse, download)
