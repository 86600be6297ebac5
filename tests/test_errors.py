"""Failures cross the Go/C/Python boundary with their kind and reason; nothing ends quietly."""

from __future__ import annotations

import re
import socket

import pytest

import httpcloak

from servers import TestServer


def test_short_content_length_body_raises_incomplete_read(
    session: httpcloak.Session, base_url: str
) -> None:
    received = bytearray()
    with session.get(f"{base_url}/truncated?length=10000&send=4000", stream=True) as r:
        assert r.content_length == 10000
        with pytest.raises(httpcloak.IncompleteRead) as caught:
            for chunk in r.iter_content(1000):
                received += chunk
    assert len(received) == 4000, "every byte that arrived is delivered before the error"
    assert caught.value.partial == 4000
    if base_url.startswith("http:"):
        assert caught.value.expected == 6000
        assert "4000 bytes read, 6000 more expected" in str(caught.value)


def test_truncation_is_also_raised_by_buffered_requests(
    session: httpcloak.Session, base_url: str
) -> None:
    with pytest.raises(httpcloak.IncompleteRead):
        session.get(f"{base_url}/truncated?length=10000&send=4000")


@pytest.mark.parametrize("cut_inside", [0, 1])
def test_chunked_body_without_last_chunk_raises(
    session: httpcloak.Session, server: TestServer, cut_inside: int
) -> None:
    url = f"{server.http}/chunked-unterminated?send=3000&cut_inside={cut_inside}"
    with session.get(url, stream=True) as r:
        assert r.content_length == -1
        with pytest.raises(httpcloak.IncompleteRead):
            r.read()


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_truncated_compressed_body_raises(
    session: httpcloak.Session, base_url: str, encoding: str
) -> None:
    url = f"{base_url}/compressed?encoding={encoding}&size=300000&truncate=1"
    with session.get(url, stream=True) as r, pytest.raises(httpcloak.IncompleteRead):
        r.read()


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_connection_refused_is_a_connect_error(session: httpcloak.Session) -> None:
    with pytest.raises(httpcloak.ConnectError) as caught:
        session.get(f"http://127.0.0.1:{_refused_port()}/", stream=True)
    assert not isinstance(caught.value, httpcloak.DNSError)
    assert "refused" in str(caught.value)


def test_unknown_host_is_a_dns_error(session: httpcloak.Session) -> None:
    with pytest.raises(httpcloak.DNSError) as caught:
        session.get("http://no-such-host.invalid/", stream=True)
    assert "no-such-host.invalid" in str(caught.value)


def test_untrusted_certificate_is_a_tls_error(server: TestServer) -> None:
    with httpcloak.Session() as strict, pytest.raises(httpcloak.TLSError) as caught:
        strict.get(f"{server.https}/get", stream=True)
    assert "certificate" in str(caught.value)


def test_verify_false_accepts_the_certificate(server: TestServer) -> None:
    with httpcloak.Session(verify=False) as lax:
        assert lax.get(f"{server.https}/get").status_code == 200


def test_the_three_failures_are_distinct_classes() -> None:
    classes = {httpcloak.ConnectError, httpcloak.DNSError, httpcloak.TLSError}
    assert len(classes) == 3
    assert issubclass(httpcloak.DNSError, httpcloak.ConnectError)
    assert not issubclass(httpcloak.TLSError, httpcloak.ConnectError)


def test_raise_for_status(session: httpcloak.Session, base_url: str) -> None:
    with session.get(f"{base_url}/status/503", stream=True) as r:
        assert not r.ok
        with pytest.raises(httpcloak.HTTPStatusError, match="503 Server Error"):
            r.raise_for_status()
    session.get(f"{base_url}/status/204").raise_for_status()


def test_the_exception_tree_in_the_docs_is_the_class_tree() -> None:
    from httpcloak import _exceptions

    assert _exceptions.__doc__ is not None
    drawn: set[tuple[str, str]] = set()
    parents: list[str] = []
    for line in _exceptions.__doc__.splitlines():
        found = re.search(r"(\w+)(?: \.+ .*)?$", line)
        if found is None or not found.group(1)[0].isupper() or found.group(1).islower():
            continue
        depth = found.start(1) // 4
        parents[depth:] = [found.group(1)]
        if depth:
            drawn.add((found.group(1), parents[depth - 1]))
    classes = {
        (cls.__name__, cls.__bases__[0].__name__)
        for cls in vars(_exceptions).values()
        if isinstance(cls, type)
        and issubclass(cls, httpcloak.HTTPCloakError)
        and cls is not httpcloak.HTTPCloakError
    }
    assert drawn == classes
