"""asyncio: the same streams, awaited; many of them in one loop without a thread each."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator

import pytest

import httpcloak

from servers import TestServer


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def _os_threads() -> int:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads: line in /proc/self/status")


def test_buffered_and_streamed_requests(server: TestServer, base_url: str) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession(verify=server.ca) as s:
            r = await s.get(f"{base_url}/get")
            assert r.status_code == 200 and r.json()["method"] == "GET"
            async with s.stream("GET", f"{base_url}/stream/5") as streamed:
                assert streamed.status_code == 200
                lines = [line async for line in streamed.aiter_lines()]
            assert len(lines) == 5
            assert streamed.closed

    run(main())


def test_every_async_iterator(server: TestServer, base_url: str) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession(verify=server.ca) as s:
            async with s.stream("GET", f"{base_url}/bytes/100000") as r:
                pieces = [p async for p in r.aiter_content(4096)]
            assert all(len(p) <= 4096 for p in pieces) and sum(map(len, pieces)) == 100000
            async with s.stream("GET", f"{base_url}/lines?ending=mixed&count=20&piece=3") as r:
                assert [x async for x in r.aiter_lines()] == [
                    f"line-{i}".encode() for i in range(20)
                ]
            async with s.stream("GET", f"{base_url}/ndjson?count=7") as r:
                assert [rec["i"] async for rec in r.aiter_json()] == list(range(7))
            url = f"{base_url}/sse?count=4&interval=0.01&crlf=1&split=1"
            async with s.stream("GET", url) as r:
                assert [e.id async for e in r.aiter_events()] == ["0", "1", "2", "3"]
            async with s.stream("GET", f"{base_url}/stream/2") as r:
                text = "".join([t async for t in r.aiter_text()])
            assert text.count("\n") == 2
            async with s.stream("GET", f"{base_url}/bytes/10") as r:
                with pytest.raises(httpcloak.ResponseNotRead, match="aread"):
                    _ = r.content
                assert len(await r.aread()) == 10 and len(r.content) == 10

    run(main())


def test_sync_iterators_on_an_async_stream_are_refused(server: TestServer) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession() as s, s.stream("GET", f"{server.http}/get") as r:
            with pytest.raises(TypeError, match="aiter_lines"):
                r.iter_lines()
            with pytest.raises(TypeError, match="aread"):
                r.read()
            with pytest.raises(TypeError, match="aiter_bytes"):
                r.raw  # noqa: B018 - the attribute access is the test

    run(main())


def test_async_names_on_a_blocking_stream_are_refused(server: TestServer) -> None:
    async def main() -> None:
        with httpcloak.Session() as s, s.get(f"{server.http}/get", stream=True) as r:
            with pytest.raises(TypeError, match="iter_lines"):
                r.aiter_lines()
            with pytest.raises(TypeError, match=r"r\.read\(\)"):
                await r.aread()
            with pytest.raises(TypeError, match="plain with"):
                async with r:
                    pass

    run(main())


def test_a_failing_async_body_raises_its_own_error(server: TestServer) -> None:
    async def fails_partway() -> AsyncIterator[bytes]:
        yield b"x" * 1000
        await asyncio.sleep(0.05)
        raise ValueError("boom in the body")

    async def not_bytes() -> AsyncIterator[object]:
        yield 123

    async def main() -> None:
        async with httpcloak.AsyncSession() as s:
            started = time.monotonic()
            with pytest.raises(ValueError, match="boom in the body"):
                await s.post(f"{server.http}/anything", data=fails_partway())
            with pytest.raises(TypeError, match="bytes"):
                await s.post(f"{server.http}/anything", data=not_bytes())  # type: ignore[arg-type]
            assert time.monotonic() - started < 2, "the failure must not wait for a timeout"
            assert (await s.get(f"{server.http}/get")).status_code == 200

    run(main())


def test_a_stalled_async_body_meets_the_connect_timeout(server: TestServer) -> None:
    async def stalls() -> AsyncIterator[bytes]:
        yield b"x"
        await asyncio.sleep(30)

    async def main() -> None:
        async with httpcloak.AsyncSession() as s:
            started = time.monotonic()
            with pytest.raises(httpcloak.ConnectTimeout):
                await s.post(
                    f"{server.http}/anything",
                    data=stalls(),
                    timeout=httpcloak.Timeout(connect=0.5, read=5),
                )
            assert time.monotonic() - started < 3

    run(main())


def test_truncation_timeouts_redirects_and_cookies(server: TestServer) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession(timeout=(5, 0.5), verify=server.ca) as s:
            with pytest.raises(httpcloak.IncompleteRead, match="4000 bytes read"):
                await s.get(f"{server.http}/truncated?length=10000&send=4000")
            async with s.stream("GET", f"{server.https}/stall?after=5") as r:
                with pytest.raises(httpcloak.ReadTimeout):
                    await r.aread()
            r2 = await s.get(f"{server.http}/redirect-with-cookie?to=/cookies&hop=7")
            assert r2.json()["cookies"] == {"hop": "7"} and len(r2.history) == 1
            assert s.cookies["hop"] == "7"

    run(main())


def test_async_and_sync_bodies_are_streamed_up(server: TestServer) -> None:
    async def pieces() -> AsyncIterator[bytes]:
        for _ in range(100):
            await asyncio.sleep(0)
            yield b"\x00" * 1000

    async def main() -> None:
        async with httpcloak.AsyncSession(verify=server.ca) as s:
            echoed = (await s.post(f"{server.http}/anything", data=pieces())).json()
            assert echoed["body_len"] == 100_000
            async with s.stream(
                "POST", f"{server.https}/echo", data=iter([b"a" * 65536] * 300)
            ) as r:
                assert sum([len(c) async for c in r.aiter_content()]) == 300 * 65536

    run(main())


def test_cancelling_the_reading_task_closes_the_stream_promptly(server: TestServer) -> None:
    async def main() -> None:
        async with httpcloak.AsyncSession(verify=server.ca) as s:
            r = await s.get(f"{server.https}/stall?after=5", stream=True)
            reader = asyncio.ensure_future(r.aread())
            await asyncio.sleep(0.2)
            started = time.monotonic()
            reader.cancel()
            with pytest.raises(asyncio.CancelledError):
                await reader
            assert time.monotonic() - started < 0.2
            assert r.closed
            stalled = await s.get(f"{server.http}/stall?after=5", stream=True)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(stalled.aread(), 0.2)
            assert stalled.closed
            assert (await s.get(f"{server.https}/get")).status_code == 200

    run(main())


SSE_STREAMS = 1000
EVENTS_EACH = 4


def test_a_thousand_sse_streams_in_one_loop(server: TestServer) -> None:
    """Threads stay bounded, every event arrives, and a ticker keeps its schedule."""

    async def consume(s: httpcloak.AsyncSession, base: str) -> int:
        url = f"{base}/sse?count={EVENTS_EACH}&interval=0.5"
        async with s.stream("GET", url) as r:
            return len([e async for e in r.aiter_events()])

    async def ticker(stop: asyncio.Event, lateness: list[float]) -> None:
        while not stop.is_set():
            due = time.monotonic() + 0.05
            await asyncio.sleep(0.05)
            lateness.append(time.monotonic() - due)

    async def main() -> tuple[int, int, list[float]]:
        threads_before = _os_threads()
        stop, lateness = asyncio.Event(), list[float]()
        async with httpcloak.AsyncSession(verify=server.ca, timeout=(30, 30)) as s:
            tick = asyncio.ensure_future(ticker(stop, lateness))
            bases = [server.http, server.https]
            counts = await asyncio.gather(*(consume(s, bases[i % 2]) for i in range(SSE_STREAMS)))
            peak_threads = _os_threads() - threads_before
            stop.set()
            await tick
        return sum(counts), peak_threads, lateness

    delivered, extra_threads, lateness = asyncio.run(main())
    assert delivered == SSE_STREAMS * EVENTS_EACH
    assert extra_threads <= 40, f"{extra_threads} threads for {SSE_STREAMS} streams"
    lateness.sort()
    assert lateness[len(lateness) // 2] < 0.05, f"ticker median lateness {lateness}"


def test_a_session_serves_one_event_loop(server: TestServer) -> None:
    s = httpcloak.AsyncSession()
    run(s.get(f"{server.http}/get"))
    with pytest.raises(httpcloak.InvalidArgument, match="event loop"):
        run(s.get(f"{server.http}/drip?count=2&interval=0.2", stream=True))
    s.close()


def test_json_helper(server: TestServer) -> None:
    async def main() -> object:
        async with httpcloak.AsyncSession() as s:
            return (await s.get(f"{server.http}/get", params={"a": "1"})).json()

    assert json.dumps(run(main()))


def test_closing_an_async_session_from_another_thread_wakes_its_readers(
    server: TestServer,
) -> None:
    # The loop's reader and futures are not thread-safe: the close is handed to the loop.
    async def main() -> None:
        for _ in range(5):
            s = httpcloak.AsyncSession()
            r = await s.get(f"{server.http}/stall?after=10&seconds=30", stream=True)

            async def read_all(stream: httpcloak.AsyncStreamResponse) -> None:
                async for _ in stream.aiter_bytes():
                    pass

            reader = asyncio.ensure_future(read_all(r))
            await asyncio.sleep(0.1)
            started = time.monotonic()
            await asyncio.get_running_loop().run_in_executor(None, s.close)
            with pytest.raises(httpcloak.StreamClosed):
                await asyncio.wait_for(reader, 5)
            assert time.monotonic() - started < 2

    run(main())
