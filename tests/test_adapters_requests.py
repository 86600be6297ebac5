"""Existing requests code gets the preset's fingerprint (issue #15): a requests Session with
httpcloak.adapters.HTTPAdapter mounted, driven through requests' public API only."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

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
def client(server: TestServer) -> Iterator[requests.Session]:
    with requests.Session() as s:
        adapter = httpcloak.adapters.HTTPAdapter(preset=PRESET)
        s.mount("https://", adapter)
        s.mount("http://", adapter)
        s.trust_env = False  # REQUESTS_CA_BUNDLE would override s.verify
        s.verify = server.ca
        yield s


def test_importing_httpcloak_imports_neither_requests_nor_httpx() -> None:
    check = "import sys, httpcloak; print('requests' in sys.modules, 'httpx' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_the_request_carries_the_presets_fingerprint_and_headers(
    client: requests.Session, server: TestServer
) -> None:
    expected = httpcloak_identity(server)
    seen = client.get(fingerprint_url(server)).json()
    assert_same_identity(seen, expected)
    assert "python-requests" not in json.dumps(seen["headers"])


def test_headers_the_caller_set_are_kept(client: requests.Session, server: TestServer) -> None:
    client.headers["X-Session-Header"] = "s"
    seen = client.get(
        server.https + "/headers", headers={"User-Agent": "mine/1.0", "X-Custom": "c"}
    ).json()["headers"]
    assert seen["User-Agent"] == ["mine/1.0"]
    assert seen["X-Custom"] == ["c"]
    assert seen["X-Session-Header"] == ["s"]


def test_request_bodies_go_out_whole_and_streamed(
    client: requests.Session, server: TestServer
) -> None:
    payload = bytes(range(256)) * 1000
    seen = client.post(server.https + "/anything", data=payload).json()
    assert seen["body_sha256"] == hashlib.sha256(payload).hexdigest()
    chunks = [b"part-%d;" % i for i in range(50)]
    seen = client.put(server.http + "/anything", data=iter(chunks)).json()
    assert seen["body_sha256"] == hashlib.sha256(b"".join(chunks)).hexdigest()
    seen = client.post(server.http + "/anything", json={"a": 1}).json()
    assert seen["headers"]["Content-Type"] == ["application/json"]


def test_a_large_body_streams_with_flat_memory(server: TestServer) -> None:
    script = """
import sys, requests, httpcloak
s = requests.Session()
s.mount("https://", httpcloak.adapters.HTTPAdapter())
total = 0
with s.get(sys.argv[1], stream=True, verify=sys.argv[2]) as r:
    for chunk in r.iter_content(chunk_size=None):
        total += len(chunk)
"""
    total, peak_mib = peak_rss_streaming(script, f"{server.https}/big/{STREAM_SIZE}", server.ca)
    assert total == STREAM_SIZE
    assert peak_mib < PEAK_RSS_BOUND_MIB


def test_sse_lines_arrive_while_the_stream_is_open(
    client: requests.Session, server: TestServer
) -> None:
    # count=0: the server never ends the stream; the lines must come as they are sent.
    with client.get(server.https + "/sse?count=0&interval=0.05", stream=True) as r:
        assert r.headers["Content-Type"].startswith("text/event-stream")
        ids = []
        for line in r.iter_lines():
            if line.startswith(b"id: "):
                ids.append(int(line[4:]))
            if len(ids) == 3:
                break
    assert ids == [0, 1, 2]


def test_raw_is_a_file_object(client: requests.Session, server: TestServer) -> None:
    with client.get(server.http + "/bytes/100000", stream=True) as r:
        first = r.raw.read(10)
        rest = r.raw.read()
    body = first + rest
    assert body == bytes((i * 7) % 251 for i in range(100000))


def test_a_truncated_body_raises_chunked_encoding_error(
    client: requests.Session, server: TestServer
) -> None:
    for base in (server.http, server.https):
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            client.get(base + "/truncated?length=100000&send=50000")
        with client.get(base + "/truncated?length=100000&send=50000", stream=True) as r:
            with pytest.raises(requests.exceptions.ChunkedEncodingError):
                for _ in r.iter_content(4096):
                    pass


def test_redirects_are_followed_by_requests_with_history(
    client: requests.Session, server: TestServer
) -> None:
    r = client.get(server.https + "/redirect/3")
    assert r.status_code == 200
    assert [h.status_code for h in r.history] == [302, 302, 302]
    assert r.url == server.https + "/get"
    r = client.get(server.https + "/redirect/3", allow_redirects=False)
    assert r.status_code == 302 and r.is_redirect and r.history == []
    with pytest.raises(requests.exceptions.TooManyRedirects):
        client.max_redirects = 2
        client.get(server.https + "/redirect/3")


def test_cookies_live_in_the_requests_jar(client: requests.Session, server: TestServer) -> None:
    client.get(server.https + "/cookies/set?a=1")
    assert client.cookies.get("a") == "1"
    client.cookies.set("b", "2")
    assert client.get(server.https + "/cookies").json()["cookies"] == {"a": "1", "b": "2"}
    # Set during a redirect, sent on the next hop.
    r = client.get(server.https + "/redirect-with-cookie?to=/cookies&c=3")
    assert r.json()["cookies"] == {"a": "1", "b": "2", "c": "3"}
    client.cookies.clear()
    # The adapter keeps none of its own: what requests' jar forgot is not sent.
    assert client.get(server.https + "/cookies").json()["cookies"] == {}


def test_compressed_bodies_are_decoded_once(client: requests.Session, server: TestServer) -> None:
    for encoding in ("gzip", "br", "zstd", "deflate"):
        r = client.get(server.https + f"/compressed?encoding={encoding}&size=50000")
        assert r.headers["Content-Encoding"] == encoding  # as the server sent it
        assert hashlib.sha256(r.content).hexdigest() == r.headers["X-Uncompressed-Sha256"]


def test_timeouts_map_to_requests_exceptions(client: requests.Session, server: TestServer) -> None:
    # No response headers within the connect timeout (which covers the server's answer).
    with pytest.raises(requests.exceptions.ConnectTimeout):
        client.get(server.http + "/slow-headers?delay=30", timeout=(0.3, 30))
    # A body that goes silent past the read timeout.
    with client.get(server.http + "/stall?after=100", stream=True, timeout=(30, 0.3)) as r:
        with pytest.raises(requests.exceptions.ReadTimeout):
            for _ in r.iter_content(4096):
                pass
    # requests itself says ConnectionError for a silent body: that except works too.
    with client.get(server.http + "/stall?after=100", stream=True, timeout=0.3) as r:
        with pytest.raises(requests.exceptions.ConnectionError):
            r.content  # noqa: B018


def test_transport_failures_map_to_requests_exceptions(
    client: requests.Session, server: TestServer
) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        client.get(refused_url())
    with pytest.raises(requests.exceptions.SSLError):
        client.get(server.https + "/get", verify=True)  # the test CA is not a system root
    with pytest.raises(requests.exceptions.ProxyError):
        client.get(
            server.https + "/get",
            proxies={"https": server.proxy_url("http", password="wrong")},
        )
    with pytest.raises(ValueError, match="client certificates"):
        client.get(server.https + "/get", cert=("client.pem", "client.key"))


def test_verify_and_proxies_are_honoured(client: requests.Session, server: TestServer) -> None:
    before = client.get(server.http + "/stats").json()["proxy"]["http_connect"]
    r = client.get(server.https + "/get", proxies={"https": server.proxy_url("http")})
    assert r.status_code == 200
    after = client.get(server.http + "/stats").json()["proxy"]["http_connect"]
    assert after == before + 1
    assert client.get(server.https + "/get", verify=False).status_code == 200


def test_a_second_get_is_not_made_conditional(client: requests.Session, server: TestServer) -> None:
    # requests keeps no cache: the adapter's session must not send validators behind its back.
    assert client.get(f"{server.https}/cache/adapter").status_code == 200
    assert client.get(f"{server.https}/cache/adapter").status_code == 200
