"""LocalProxy in front of a strict third-party origin: Debian's nginx (nginx-light), which
answers 400 "client sent duplicate header line" to a request with two Content-Length
headers. nginx reads each request whole, then proxies it to the test server's echo, so the
test also sees the body and the one framing header that arrived. A missing nginx fails the
test, saying what to install: it is never skipped."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak

from servers import NginxServer, TestServer

# Needs Debian's nginx-light: run with `python -m pytest -m nginx` (.ci/run installs it).
pytestmark = pytest.mark.nginx


@pytest.fixture(scope="module")
def nginx(server: TestServer) -> Iterator[NginxServer]:
    try:
        running = NginxServer.start(upstream=server.http)
    except RuntimeError as error:
        pytest.fail(str(error))
    with running:
        yield running


def _post_through(proxy: httpcloak.LocalProxy, url: str, request: urllib.request.Request) -> Any:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.proxy_url}))
    with opener.open(request, timeout=10) as r:
        assert r.status == 200
        return json.load(r)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_post_reaches_nginx_with_exactly_one_framing_header(
    nginx: NginxServer, server: TestServer, chunked: bool
) -> None:
    payload = bytes(range(256)) * 400
    body: Any = iter([payload[:1000], payload[1000:]]) if chunked else payload
    headers = {"Content-Type": "application/octet-stream"}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    url = f"{nginx.url}/anything"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with httpcloak.LocalProxy(allow_private_networks=True) as proxy:
        echoed = _post_through(proxy, url, request)
    assert echoed["method"] == "POST"
    assert echoed["body_len"] == len(payload)
    assert echoed["body_sha256"] == hashlib.sha256(payload).hexdigest()
