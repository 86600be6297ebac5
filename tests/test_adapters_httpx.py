"""Existing httpx code gets the preset's fingerprint (issue #15): httpx.Client with
httpcloak.HTTPTransport and httpx.AsyncClient with httpcloak.AsyncHTTPTransport, driven
through httpx's public API only."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

import httpcloak

from adapter_checks import (
    PEAK_RSS_BOUND_MIB,
    PRESET,
    STREAM_SIZE,
    assert_same_identity,
    fingerprint_url,
    httpcloak_identity,
    peak_rss_streaming,
    refused_url,
)
from servers import TestServer


@pytest.fixture
def client(server: TestServer) -> Iterator[httpx.Client]:
    transport = httpcloak.HTTPTransport(preset=PRESET, verify=server.ca)
    with httpx.Client(transport=transport) as c:
        yield c


def async_client(server: TestServer, **options: object) -> httpx.AsyncClient:
    transport = httpcloak.AsyncHTTPTransport(preset=PRESET, verify=server.ca)
    return httpx.AsyncClient(transport=transport, **options)  # type: ignore[arg-type]


def test_the_request_carries_the_presets_fingerprint_and_headers(
    client: httpx.Client, server: TestServer
) -> None:
    expected = httpcloak_identity(server)
    r = client.get(fingerprint_url(server))
    assert r.http_version == "HTTP/2"
    seen = r.json()
    assert_same_identity(seen, expected)
    assert "python-httpx" not in json.dumps(seen["headers"])


def test_async_request_carries_the_presets_fingerprint(server: TestServer) -> None:
    expected = httpcloak_identity(server)

    async def main() -> dict[str, object]:
        async with async_client(server) as c:
            r = await c.get(fingerprint_url(server))
            seen: dict[str, object] = r.json()
            return seen

    assert_same_identity(asyncio.run(main()), expected)


def test_headers_the_caller_set_are_kept(server: TestServer) -> None:
    transport = httpcloak.HTTPTransport(verify=server.ca)
    with httpx.Client(transport=transport, headers={"X-Client": "c"}) as c:
        seen = c.get(
            server.https + "/headers", headers={"User-Agent": "mine/1.0", "Accept": "text/x"}
        ).json()["headers"]
    assert seen["User-Agent"] == ["mine/1.0"]
    assert seen["Accept"] == ["text/x"]
    assert seen["X-Client"] == ["c"]


def test_request_bodies_go_out_whole_and_streamed(client: httpx.Client, server: TestServer) -> None:
    payload = bytes(range(256)) * 1000
    seen = client.post(server.https + "/anything", content=payload).json()
    assert seen["body_sha256"] == hashlib.sha256(payload).hexdigest()
    chunks = [b"part-%d;" % i for i in range(50)]
    seen = client.put(server.http + "/anything", content=iter(chunks)).json()
    assert seen["body_sha256"] == hashlib.sha256(b"".join(chunks)).hexdigest()
    seen = client.post(server.http + "/anything", data={"a": "1"}).json()
    assert seen["body_b64"] == "YT0x"  # a=1


def test_a_large_body_streams_with_flat_memory(server: TestServer) -> None:
    script = """
import sys, httpx, httpcloak
total = 0
with httpx.Client(transport=httpcloak.HTTPTransport(verify=sys.argv[2])) as c:
    with c.stream("GET", sys.argv[1]) as r:
        for chunk in r.iter_bytes():
            total += len(chunk)
"""
    total, peak_mib = peak_rss_streaming(script, f"{server.https}/big/{STREAM_SIZE}", server.ca)
    assert total == STREAM_SIZE
    assert peak_mib < PEAK_RSS_BOUND_MIB


def test_async_stream_with_flat_memory(server: TestServer) -> None:
    script = """
import asyncio, sys, httpx, httpcloak
async def main():
    total = 0
    transport = httpcloak.AsyncHTTPTransport(verify=sys.argv[2])
    async with httpx.AsyncClient(transport=transport) as c:
        async with c.stream("GET", sys.argv[1]) as r:
            async for chunk in r.aiter_bytes():
                total += len(chunk)
    return total
total = asyncio.run(main())
"""
    total, peak_mib = peak_rss_streaming(script, f"{server.https}/big/{STREAM_SIZE}", server.ca)
    assert total == STREAM_SIZE
    assert peak_mib < PEAK_RSS_BOUND_MIB


def test_sse_lines_arrive_while_the_stream_is_open(
    client: httpx.Client, server: TestServer
) -> None:
    with client.stream("GET", server.https + "/sse?count=0&interval=0.05") as r:
        ids = []
        for line in r.iter_lines():
            if line.startswith("id: "):
                ids.append(int(line[4:]))
            if len(ids) == 3:
                break
    assert ids == [0, 1, 2]


def test_async_sse_lines_arrive_while_the_stream_is_open(server: TestServer) -> None:
    async def first_ids() -> list[int]:
        ids = []
        async with async_client(server) as c:
            async with c.stream("GET", server.https + "/sse?count=0&interval=0.05") as r:
                async for line in r.aiter_lines():
                    if line.startswith("id: "):
                        ids.append(int(line[4:]))
                    if len(ids) == 3:
                        break
        return ids

    assert asyncio.run(first_ids()) == [0, 1, 2]


def test_a_truncated_body_raises_remote_protocol_error(
    client: httpx.Client, server: TestServer
) -> None:
    for base in (server.http, server.https):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(base + "/truncated?length=100000&send=50000")

    async def main() -> None:
        async with async_client(server) as c:
            with pytest.raises(httpx.RemoteProtocolError):
                await c.get(server.https + "/truncated?length=100000&send=50000")

    asyncio.run(main())


def test_redirects_are_followed_by_httpx_with_history(server: TestServer) -> None:
    transport = httpcloak.HTTPTransport(verify=server.ca)
    with httpx.Client(transport=transport, follow_redirects=True) as c:
        r = c.get(server.https + "/redirect/3")
        assert r.status_code == 200
        assert [h.status_code for h in r.history] == [302, 302, 302]
        assert str(r.url) == server.https + "/get"
        r = c.get(server.https + "/redirect/3", follow_redirects=False)
        assert r.status_code == 302 and r.is_redirect and r.history == []


def test_cookies_live_in_the_httpx_jar(client: httpx.Client, server: TestServer) -> None:
    client.get(server.https + "/cookies/set?a=1")
    assert client.cookies.get("a") == "1"
    client.cookies.set("b", "2", domain="127.0.0.1")
    assert client.get(server.https + "/cookies").json()["cookies"] == {"a": "1", "b": "2"}
    client.cookies.clear()
    assert client.get(server.https + "/cookies").json()["cookies"] == {}


def test_async_cookies_and_redirects(server: TestServer) -> None:
    async def main() -> httpx.Response:
        async with async_client(server, follow_redirects=True) as c:
            return await c.get(server.https + "/redirect-with-cookie?to=/cookies&c=3")

    r = asyncio.run(main())
    assert r.json()["cookies"] == {"c": "3"}
    assert [h.status_code for h in r.history] == [302]


def test_compressed_bodies_are_decoded_once(client: httpx.Client, server: TestServer) -> None:
    for encoding in ("gzip", "br", "zstd", "deflate"):
        r = client.get(server.https + f"/compressed?encoding={encoding}&size=50000")
        # httpx decodes by Content-Encoding: the engine did it, so the header is gone.
        assert "content-encoding" not in r.headers
        assert "content-length" not in r.headers
        assert r.extensions["httpcloak_content_encoding"] == encoding
        assert hashlib.sha256(r.content).hexdigest() == r.headers["X-Uncompressed-Sha256"]
    r = client.get(server.https + "/bytes/1000")
    assert r.headers["content-length"] == "1000"


def test_timeouts_map_to_httpx_exceptions(client: httpx.Client, server: TestServer) -> None:
    with pytest.raises(httpx.ConnectTimeout):
        client.get(server.http + "/slow-headers?delay=30", timeout=httpx.Timeout(30, connect=0.3))
    with pytest.raises(httpx.ReadTimeout):
        client.get(server.http + "/stall?after=100", timeout=httpx.Timeout(30, read=0.3))

    async def main() -> None:
        async with async_client(server) as c:
            with pytest.raises(httpx.ReadTimeout):
                await c.get(server.http + "/stall?after=100", timeout=httpx.Timeout(30, read=0.3))

    asyncio.run(main())


def test_transport_failures_map_to_httpx_exceptions(
    client: httpx.Client, server: TestServer
) -> None:
    with pytest.raises(httpx.ConnectError):
        client.get(refused_url())
    with httpx.Client(transport=httpcloak.HTTPTransport()) as untrusting:
        with pytest.raises(httpx.ConnectError):
            untrusting.get(server.https + "/get")  # the test CA is not a system root
    wrong = server.proxy_url("http", password="wrong")
    with httpx.Client(transport=httpcloak.HTTPTransport(verify=server.ca, proxy=wrong)) as c:
        with pytest.raises(httpx.ProxyError):
            c.get(server.https + "/get")
    with pytest.raises(ValueError, match="client certificates"):
        httpcloak.HTTPTransport(cert="client.pem")


def test_proxy_is_the_transports(client: httpx.Client, server: TestServer) -> None:
    before = client.get(server.http + "/stats").json()["proxy"]["http_connect"]
    transport = httpcloak.HTTPTransport(verify=server.ca, proxy=server.proxy_url("http"))
    with httpx.Client(transport=transport) as c:
        assert c.get(server.https + "/get").status_code == 200
    after = client.get(server.http + "/stats").json()["proxy"]["http_connect"]
    assert after == before + 1


def test_async_request_bodies_stream(server: TestServer) -> None:
    chunks = [b"piece-%d;" % i for i in range(20)]

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async def main() -> str:
        async with async_client(server) as c:
            r = await c.post(server.https + "/anything", content=body())
            digest: str = r.json()["body_sha256"]
            return digest

    assert asyncio.run(main()) == hashlib.sha256(b"".join(chunks)).hexdigest()


def test_a_second_get_is_not_made_conditional(client: httpx.Client, server: TestServer) -> None:
    # httpx keeps no cache: the transport's session must not send validators behind its back.
    assert client.get(f"{server.https}/cache/transport").status_code == 200
    assert client.get(f"{server.https}/cache/transport").status_code == 200
