"""No hidden deadline: a stream ends when the server ends it, not after a minute."""

from __future__ import annotations

import pytest

import httpcloak


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_a_stream_longer_than_sixty_seconds_ends_normally(
    server: object, base_url: str
) -> None:
    # 130 drips 0.5 s apart = 65 s, past the 60 s cut of the upstream binding, with a read
    # timeout far shorter than the stream: only silence counts against it.
    with httpcloak.Session(timeout=httpcloak.Timeout(connect=5, read=2), verify=False) as s:
        url = f"{base_url}/drip?count=130&interval=0.5&size=8"
        with s.get(url, stream=True) as r:
            assert sum(len(c) for c in r.iter_content()) == 130 * 8
