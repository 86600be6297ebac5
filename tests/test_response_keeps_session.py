"""A response keeps the session that made it alive until the response is closed, so a
temporary session (`Session().get(url, stream=True)`) does not close the stream under the
reader; explicit Session.close() still closes everything at once."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Coroutine
from typing import Any

import pytest

import httpcloak

from servers import TestServer

BODY_SIZE = 100_000


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


def test_iterating_a_stream_of_a_temporary_session(server: TestServer, base_url: str) -> None:
    url = f"{base_url}/bytes/{BODY_SIZE}"
    received = 0
    # The line, with a collection between chunks.
    for chunk in (
        httpcloak.Session(preset="chrome-latest", verify=server.ca)
        .get(url, stream=True)
        .iter_content(8192)
    ):
        gc.collect()
        received += len(chunk)
    assert received == BODY_SIZE


def test_with_a_stream_of_a_temporary_session(server: TestServer, base_url: str) -> None:
    with httpcloak.Session(verify=server.ca).get(f"{base_url}/bytes/{BODY_SIZE}", stream=True) as r:
        gc.collect()
        first = next(r.iter_content(1000))
        gc.collect()
        rest = r.read()
    assert len(first) + len(rest) == BODY_SIZE


def test_raw_of_a_temporary_session_stream(server: TestServer) -> None:
    raw = (
        httpcloak.Session(verify=server.ca).get(f"{server.http}/bytes/{BODY_SIZE}", stream=True).raw
    )
    gc.collect()
    assert len(raw.read()) == BODY_SIZE
    raw.close()


def test_the_session_lives_until_its_stream_is_closed_then_goes(server: TestServer) -> None:
    session = httpcloak.Session(verify=server.ca)
    alive = weakref.ref(session)
    r = session.get(f"{server.http}/bytes/{BODY_SIZE}", stream=True)
    del session
    gc.collect()
    assert alive() is not None and not alive().closed  # type: ignore[union-attr]
    assert len(r.read()) == BODY_SIZE  # read to its end: the stream let go of the session
    # No reference cycle: the session goes by reference counting alone.
    assert alive() is None


def test_closing_a_stream_releases_its_session(server: TestServer) -> None:
    session = httpcloak.Session(verify=server.ca)
    alive = weakref.ref(session)
    r = session.get(f"{server.http}/big/{1 << 30}", stream=True)
    del session
    gc.collect()
    assert alive() is not None
    r.close()
    assert alive() is None


def test_a_buffered_response_holds_its_session_until_closed(server: TestServer) -> None:
    session = httpcloak.Session(verify=server.ca)
    alive = weakref.ref(session)
    r = session.get(f"{server.http}/bytes/{BODY_SIZE}")
    del session
    gc.collect()
    assert alive() is not None and not alive().closed  # type: ignore[union-attr]
    assert len(r.content) == BODY_SIZE
    r.close()
    assert alive() is None
    assert len(r.content) == BODY_SIZE  # the body stays


def test_explicit_session_close_still_closes_every_stream(server: TestServer) -> None:
    session = httpcloak.Session(verify=server.ca)
    streams = [session.get(f"{server.http}/big/{1 << 30}", stream=True) for _ in range(3)]
    session.close()
    for r in streams:
        assert r.closed
        with pytest.raises(httpcloak.StreamClosed):
            r.read()


def test_async_streams_and_buffered_responses_of_a_temporary_session(
    server: TestServer, base_url: str
) -> None:
    url = f"{base_url}/bytes/{BODY_SIZE}"

    async def main() -> None:
        r = await httpcloak.AsyncSession(verify=server.ca).get(url, stream=True)
        gc.collect()
        received = 0
        async for chunk in r.aiter_bytes(8192):
            gc.collect()
            received += len(chunk)
        assert received == BODY_SIZE

        async with httpcloak.AsyncSession(verify=server.ca).stream("GET", url) as s:
            gc.collect()
            assert len(await s.aread()) == BODY_SIZE

        session = httpcloak.AsyncSession(verify=server.ca)
        alive = weakref.ref(session)
        buffered = await session.get(url)
        del session
        gc.collect()
        assert alive() is not None and not alive().closed  # type: ignore[union-attr]
        buffered.close()
        assert alive() is None

    _run(main())


def test_async_session_close_still_closes_every_stream(server: TestServer) -> None:
    async def main() -> None:
        session = httpcloak.AsyncSession(verify=server.ca)
        r = await session.get(f"{server.http}/big/{1 << 30}", stream=True)
        await session.aclose()
        assert r.closed
        with pytest.raises(httpcloak.StreamClosed):
            await r.aread()

    _run(main())
