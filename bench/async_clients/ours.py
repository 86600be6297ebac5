"""httpcloak's AsyncSession (and, for comparison, its blocking Session in a thread)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import httpcloak

sys.path.insert(0, str(Path(__file__).parent))
from common import main  # noqa: E402

_sessions: dict[str, httpcloak.AsyncSession] = {}


def _session(ca: str) -> httpcloak.AsyncSession:
    if ca not in _sessions:
        _sessions[ca] = httpcloak.AsyncSession(verify=ca or True, timeout=(30, 60))
    return _sessions[ca]


async def sse(url: str, ca: str, on_event: Callable[[bytes], None]) -> None:
    async with _session(ca).stream("GET", url) as r:
        async for event in r.aiter_events():
            on_event(event.data.split("\n", 1)[0].encode())


async def download(url: str, ca: str) -> int:
    if "--sync" in sys.argv:
        return await asyncio.to_thread(_download_sync, url, ca)
    total = 0
    async with _session(ca).stream("GET", url) as r:
        async for chunk in r.aiter_content(65536):
            total += len(chunk)
    return total


def _download_sync(url: str, ca: str) -> int:
    with httpcloak.Session(verify=ca or True) as s, s.get(url, stream=True) as r:
        return sum(len(c) for c in r.iter_content(65536))


if __name__ == "__main__":
    main(sse, download)
