"""A malformed Location: allow_redirects=False hands the 3xx over as it came; only following
it fails, with a ProtocolError that names the Location."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest

import httpcloak

from servers import TestServer

MALFORMED = ["http://[::1", "http://a b/"]


@pytest.fixture
def raw_redirect() -> Iterator[Callable[[str], str]]:
    """A one-connection HTTP/1.1 server answering 302 with the Location bytes as given
    (no server library in between to tidy them)."""
    sockets: list[socket.socket] = []

    def serve(location: str) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        sockets.append(listener)

        def answer() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 302 Found\r\nLocation: "
                    + location.encode()
                    + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )

        threading.Thread(target=answer, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}/start"

    yield serve
    for listener in sockets:
        listener.close()


@pytest.mark.parametrize("location", MALFORMED)
def test_unfollowed_malformed_location_is_returned_as_sent(
    raw_redirect: Callable[[str], str], location: str
) -> None:
    with httpcloak.Session() as s:
        r = s.get(raw_redirect(location), allow_redirects=False)
        assert r.status_code == 302
        assert r.headers["location"] == location
        assert r.headers.get_all("location") == [location]
        with pytest.raises(httpcloak.ProtocolError, match="Location") as failure:
            s.get(raw_redirect(location))
        assert location in str(failure.value)


@pytest.mark.parametrize("location", MALFORMED)
@pytest.mark.parametrize("protocol", ["h1", "h2", "h3"])
def test_every_protocol_returns_the_malformed_location(
    server: TestServer, protocol: str, location: str
) -> None:
    base = {"h1": server.http, "h2": server.https, "h3": server.h3}[protocol]
    if not base:
        pytest.skip("the test server has no HTTP/3 listener")
    url = f"{base}/redirect-to?url={quote(location)}&status_code=302"
    version = "h3" if protocol == "h3" else "auto"
    with httpcloak.Session(verify=server.ca, http_version=version) as s:  # type: ignore[arg-type]
        with s.get(url, allow_redirects=False, stream=True) as streamed:
            assert (streamed.protocol, streamed.status_code) == (protocol, 302)
            assert streamed.headers["location"] == location
        with pytest.raises(httpcloak.ProtocolError, match="redirect Location"):
            s.get(url)

    async def unfollowed() -> str:
        async with httpcloak.AsyncSession(verify=server.ca, http_version=version) as s:  # type: ignore[arg-type]
            r = await s.get(url, allow_redirects=False)
            return r.headers["location"]

    assert asyncio.run(unfollowed()) == location
