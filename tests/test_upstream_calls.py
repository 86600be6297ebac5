"""The upstream binding's Session calls beyond requests' names, on loopback: *_async
(awaited on the running loop, no thread per request), *_fast (FastResponse: the body in
one buffer), post_stream and friends, and Response.elapsed."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from datetime import timedelta

import pytest

import httpcloak

from servers import TestServer


def pattern(n: int) -> bytes:
    """The test server's /bytes content: byte i is (i * 7) % 251."""
    return bytes((i * 7) % 251 for i in range(n))


def test_async_calls_on_a_session_share_the_loop_without_threads(server: TestServer) -> None:
    async def main(s: httpcloak.Session) -> tuple[list[int], int]:
        threads = threading.active_count()
        # Slow answers, so that all twenty are in flight together.
        pending = [s.get_async(f"{server.http}/slow-headers", {"delay": "0.3"}) for _ in range(20)]
        during = asyncio.ensure_future(asyncio.gather(*pending))
        await asyncio.sleep(0.1)
        most = threading.active_count() - threads
        responses = await during
        return [r.status_code for r in responses], most

    with httpcloak.Session() as s:
        statuses, extra_threads = asyncio.run(main(s))
        assert statuses == [200] * 20 and extra_threads == 0
        # The same session in a second event loop (asyncio.run again) works too.
        echo = asyncio.run(s.post_async(f"{server.http}/anything", b"abc"))
        assert echo.json()["body_len"] == 3


@pytest.mark.parametrize("verb", ["put", "patch", "delete", "head", "options"])
def test_every_verb_has_an_async_form(server: TestServer, verb: str) -> None:
    with httpcloak.Session() as s:
        call = getattr(s, f"{verb}_async")
        r = asyncio.run(call(f"{server.http}/anything"))
        assert r.status_code == 200 and r.method == verb.upper()
        r = asyncio.run(s.request_async(verb.upper(), f"{server.http}/anything", {"q": "1"}))
        assert r.status_code == 200


def test_stream_async_reads_on_the_loop(server: TestServer) -> None:
    async def main(s: httpcloak.Session) -> tuple[bytes, bytes]:
        r = await s.get_stream_async(f"{server.http}/bytes/70000")
        async with r:
            body = b"".join([chunk async for chunk in r.aiter_bytes()])
        posted = await s.post_stream_async(f"{server.http}/echo", b"xyz")
        async with posted:
            echoed = await posted.aread()
        return body, echoed

    with httpcloak.Session() as s:
        body, echoed = asyncio.run(main(s))
    assert body == pattern(70000) and echoed == b"xyz"


def test_get_fast_fills_one_buffer(server: TestServer) -> None:
    with httpcloak.Session() as s:
        r = s.get_fast(f"{server.http}/bytes/300000")
        assert isinstance(r, httpcloak.FastResponse) and isinstance(r.content, memoryview)
        assert r.content.obj is r.body.obj  # one buffer
        assert len(r.content) == 300000 and r.content_bytes == pattern(300000)
        # A compressed body's decoded size is not known up front: the buffer grows.
        gz = s.get_fast(f"{server.http}/compressed", {"encoding": "gzip", "size": "200000"})
        digest = hashlib.sha256(gz.content).hexdigest()
        assert digest == gz.headers["x-uncompressed-sha256"]
        assert len(gz.content) == int(gz.headers["x-uncompressed-length"]) == 200000
        empty = s.get_fast(f"{server.http}/bytes/0")
        assert bytes(empty.content) == b"" and empty.ok
        # Each FastResponse keeps its own buffer.
        assert r.content_bytes == pattern(300000)
        assert s.post_fast(f"{server.http}/anything", b"abcd").json()["body_len"] == 4
        assert s.put_fast(f"{server.http}/anything").status_code == 200
        assert s.patch_fast(f"{server.http}/anything").status_code == 200
        assert s.delete_fast(f"{server.http}/anything", {"a": "1"}).json()["raw_query"] == "a=1"
        assert s.request_fast("GET", f"{server.http}/get").text.startswith("{")


def test_get_fast_keeps_max_body_size(server: TestServer) -> None:
    with httpcloak.Session(max_body_size=1000) as s:
        with pytest.raises(httpcloak.BodyTooLarge):
            s.get_fast(f"{server.http}/bytes/5000")


@pytest.mark.parametrize("verb", ["post", "put", "patch", "delete"])
def test_per_verb_stream_calls(server: TestServer, verb: str) -> None:
    with httpcloak.Session() as s:
        body = () if verb == "delete" else (b"12",)  # delete's second is params
        with getattr(s, f"{verb}_stream")(f"{server.http}/anything", *body) as r:
            assert isinstance(r, httpcloak.StreamResponse)
            echo = r.json()
    assert echo["method"] == verb.upper()


def test_elapsed_is_a_timedelta_up_to_the_headers(server: TestServer) -> None:
    url = f"{server.http}/slow-headers?delay=0.3"
    with httpcloak.Session() as s:
        r = s.get(url)
        assert isinstance(r.elapsed, timedelta) and r.elapsed >= timedelta(seconds=0.29)
        with s.get(url, stream=True) as streamed:
            assert streamed.elapsed >= timedelta(seconds=0.29)
        assert asyncio.run(s.get_async(url)).elapsed >= timedelta(seconds=0.29)
        assert s.get_fast(url).elapsed >= timedelta(seconds=0.29)
