"""asyncio: many requests at once on one AsyncSession, and a stream read with async for."""

from __future__ import annotations

import asyncio

import httpcloak

from _runner import run


async def fetch_all(base: str, verify: bool | str) -> None:
    async with httpcloak.AsyncSession(verify=verify) as s:
        pages = await asyncio.gather(*(s.get(f"{base}/get?page={i}") for i in range(5)))
        print("statuses:", [r.status_code for r in pages])
        async with s.stream("GET", f"{base}/stream/3") as r:
            async for line in r.aiter_lines():
                print("line:", line.decode()[:40])


def main(base: str, verify: bool | str) -> None:
    asyncio.run(fetch_all(base, verify))


if __name__ == "__main__":
    run(main)
