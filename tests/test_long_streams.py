"""No hidden deadline: a stream ends when the server ends it, not after a minute."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import httpcloak

from servers import TestServer

DRIPS = 130  # 0.5 s apart: 65 s, past the 60 s cut of the upstream binding


def _stream_all(session: httpcloak.Session, url: str) -> int:
    with session.get(url, stream=True) as r:
        return sum(len(c) for c in r.iter_content())


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_streams_longer_than_sixty_seconds_end_normally(server: TestServer) -> None:
    # The read timeout is far shorter than the stream: only silence counts against it.
    # HTTP/1.1 and HTTP/2 run side by side so the proof costs one minute, not two.
    timeout = httpcloak.Timeout(connect=5, read=2)
    with httpcloak.Session(timeout=timeout, verify=server.ca) as s:
        urls = [
            f"{base}/drip?count={DRIPS}&interval=0.5&size=8" for base in (server.http, server.https)
        ]
        with ThreadPoolExecutor(2) as pool:
            totals = list(pool.map(lambda u: _stream_all(s, u), urls))
    assert totals == [DRIPS * 8, DRIPS * 8]
