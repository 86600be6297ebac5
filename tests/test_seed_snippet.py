"""The Python snippet of the streaming page every httpcloak binding shares (the project's
specification, kept outside this repository), as written but
for the URL, which points at the loopback test server instead of httpbin.org."""

from __future__ import annotations

import pytest

import httpcloak

from servers import TestServer


def test_seed_python_snippet_counts_ten_lines(
    server: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    s = httpcloak.Session(preset="chrome-latest")
    with s.get(f"{server.http}/stream/10", stream=True) as r:
        print("status:", r.status_code)
        n = 0
        for line in r.iter_lines():
            n += 1
            print(f"chunk {n}: {line.decode()}")
    print(f"got {n} lines")
    s.close()

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "status: 200"
    assert out[-1] == "got 10 lines"
    assert out[1].startswith('chunk 1: {"id":0')


def test_iter_content_variant_of_the_snippet(server: TestServer) -> None:
    with httpcloak.Session(preset="chrome-latest") as s:
        with s.get(f"{server.http}/stream/10", stream=True) as r:
            body = b"".join(r.iter_content(chunk_size=16))
    assert body.count(b"\n") == 10
