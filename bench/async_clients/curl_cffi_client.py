"""curl_cffi's AsyncSession, impersonating Chrome."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import main  # noqa: E402

# Loaded by name: curl_cffi lives only in the benchmark's peer venv, untyped here.
AsyncSession: Any = importlib.import_module("curl_cffi.requests").AsyncSession

_sessions: dict[str, Any] = {}


def _session(ca: str) -> Any:
    if ca not in _sessions:
        _sessions[ca] = AsyncSession(impersonate="chrome", verify=ca or True, max_clients=2000)
    return _sessions[ca]


async def sse(url: str, ca: str, on_event: Callable[[bytes], None]) -> None:
    async with _session(ca).stream("GET", url, timeout=60) as r:
        async for line in r.aiter_lines():
            if line.startswith(b"data: {"):
                on_event(line[6:])


async def download(url: str, ca: str) -> int:
    total = 0
    async with _session(ca).stream("GET", url, timeout=600) as r:
        async for chunk in r.aiter_content():
            total += len(chunk)
    return total


if __name__ == "__main__":
    main(sse, download)
