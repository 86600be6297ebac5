"""Streaming bodies over real sockets: sizes, lines, lengths, decoders, file objects."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
import threading
import time
from typing import Any

import pytest

import httpcloak

from servers import TestServer


def pattern(n: int) -> bytes:
    """The test server's /bytes and /stream-bytes content: byte i is (i * 7) % 251."""
    return bytes((i * 7) % 251 for i in range(n))


def test_iter_content_yields_at_most_chunk_size_and_every_byte(
    session: httpcloak.Session, base_url: str
) -> None:
    with session.get(f"{base_url}/bytes/100000?chunk=7000", stream=True) as r:
        pieces = list(r.iter_content(chunk_size=4096))
    assert all(0 < len(p) <= 4096 for p in pieces)
    assert b"".join(pieces) == pattern(100000)


def test_iter_content_does_not_wait_to_fill_the_chunk(
    session: httpcloak.Session, base_url: str
) -> None:
    # The server drips 16 bytes every 0.3 s; a 1 MiB chunk size must not hold them back.
    with session.get(f"{base_url}/drip?count=3&interval=0.3&size=16", stream=True) as r:
        started = time.monotonic()
        first = next(r.iter_content(chunk_size=1 << 20))
        waited = time.monotonic() - started
        rest = b"".join(r.iter_content(chunk_size=1 << 20))
    assert len(first) == 16
    assert waited < 0.3 + 0.25, "the first 16 bytes were held back"
    assert len(first) + len(rest) == 48


def test_content_length_is_minus_one_when_chunked(
    session: httpcloak.Session, server: TestServer
) -> None:
    with session.get(f"{server.http}/stream-bytes/5000", stream=True) as r:
        assert r.content_length == -1
        assert r.read() == pattern(5000)


def test_content_length_is_the_real_length(session: httpcloak.Session, base_url: str) -> None:
    with session.get(f"{base_url}/bytes/5000", stream=True) as r:
        assert r.content_length == 5000
        assert r.read() == pattern(5000)
        assert r.num_bytes_downloaded == 5000


def test_head_then_stream(session: httpcloak.Session, base_url: str) -> None:
    head = session.head(f"{base_url}/bytes/12345")
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == 12345
    assert head.content == b""
    with session.get(f"{base_url}/bytes/12345", stream=True) as r:
        assert r.content_length == int(head.headers["content-length"])
        assert len(r.read()) == 12345


@pytest.mark.parametrize("ending", ["lf", "crlf", "cr", "mixed"])
def test_iter_lines_splits_like_the_whole_body(
    session: httpcloak.Session, base_url: str, ending: str
) -> None:
    # The server writes 3-byte pieces, so line endings straddle reads.
    url = f"{base_url}/lines?ending={ending}&count=40&piece=3"
    with session.get(url, stream=True) as r:
        lines = list(r.iter_lines(chunk_size=5))
    assert lines == [f"line-{i}".encode() for i in range(40)]


def test_iter_lines_keepends_and_decode_unicode(
    session: httpcloak.Session, server: TestServer
) -> None:
    with session.get(f"{server.http}/lines?ending=crlf&count=3&piece=2", stream=True) as r:
        lines = list(r.iter_lines(decode_unicode=True, keepends=True))
    assert lines == ["line-0\r\n", "line-1\r\n", "line-2\r\n"]


def test_iter_json_reads_ndjson(session: httpcloak.Session, base_url: str) -> None:
    with session.get(f"{base_url}/ndjson?count=25", stream=True) as r:
        records = list(r.iter_json())
    assert [rec["i"] for rec in records] == list(range(25))


def test_iter_events_with_crlf_split_across_reads(
    session: httpcloak.Session, base_url: str
) -> None:
    url = f"{base_url}/sse?count=4&interval=0.01&crlf=1&split=1"
    with session.get(url, stream=True) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = list(r.iter_events())
    assert [e.id for e in events] == ["0", "1", "2", "3"]
    assert all(e.event == "tick" for e in events)
    first_line, second_line = events[0].data.split("\n")
    assert json.loads(first_line)["n"] == 0
    assert second_line == "second line of event 0"


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd", "deflate"])
def test_compressed_stream_is_decoded(
    session: httpcloak.Session, base_url: str, encoding: str
) -> None:
    with session.get(f"{base_url}/compressed?encoding={encoding}&size=200000", stream=True) as r:
        assert r.headers["content-encoding"] == encoding
        text = r.read()
    assert len(text) == 200000
    assert r.content_length in (-1, int(r.headers.get("content-length", -1)))


def test_raw_with_copyfileobj(session: httpcloak.Session, base_url: str) -> None:
    sink = io.BytesIO()
    with session.get(f"{base_url}/bytes/300000", stream=True) as r:
        shutil.copyfileobj(r.raw, sink, 8192)
    assert sink.getvalue() == pattern(300000)


def test_raw_with_text_wrapper(session: httpcloak.Session, base_url: str) -> None:
    with session.get(f"{base_url}/lines?ending=lf&count=5&piece=4", stream=True) as r:
        text = io.TextIOWrapper(io.BufferedReader(r.raw), encoding="utf-8")
        assert text.readline() == "line-0\n"
        assert text.read() == "line-1\nline-2\nline-3\nline-4\n"


def test_raw_directly_with_text_wrapper(session: httpcloak.Session, server: TestServer) -> None:
    with session.get(f"{server.http}/lines?ending=lf&count=3&piece=4", stream=True) as r:
        text = io.TextIOWrapper(r.raw, encoding="utf-8")  # type: ignore[type-var]
        assert text.read() == "line-0\nline-1\nline-2\n"


def test_raw_with_streaming_tarfile(
    session: httpcloak.Session, server: TestServer, tmp_path: object
) -> None:
    # A tar.gz served as an opaque download: tarfile reads it forward-only ("r|*").
    with session.get(f"{server.http}/bytes/70000", stream=True) as r:
        payload = r.read()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        info = tarfile.TarInfo("data.bin")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    # Round-trip through the server's echo so the archive really streams off the network.
    echoed = session.post(f"{server.http}/anything", data=archive.getvalue()).json()
    assert echoed["body_len"] == len(archive.getvalue())
    with session.post(f"{server.http}/echo", data=archive.getvalue(), stream=True) as r:
        with tarfile.open(fileobj=r.raw, mode="r|*") as tar:
            member = tar.next()
            assert member is not None and member.name == "data.bin"
            extracted = tar.extractfile(member)
            assert extracted is not None and extracted.read() == payload


def test_close_partway_through_a_large_body_is_prompt(
    session: httpcloak.Session, base_url: str
) -> None:
    r = session.get(f"{base_url}/big/{1 << 30}", stream=True)
    next(r.iter_content(65536))
    started = time.monotonic()
    r.close()
    assert time.monotonic() - started < 1.0
    assert session.get(f"{base_url}/get").status_code == 200


def test_read_after_close_raises_stream_closed(session: httpcloak.Session, base_url: str) -> None:
    r = session.get(f"{base_url}/bytes/100000", stream=True)
    r.close()
    r.close()  # idempotent
    with pytest.raises(httpcloak.StreamClosed):
        r.read()


def test_a_body_read_to_its_end_reads_as_consumed(
    session: httpcloak.Session, base_url: str
) -> None:
    with session.get(f"{base_url}/bytes/10", stream=True) as r:
        assert sum(len(c) for c in r.iter_content()) == 10
        with pytest.raises(httpcloak.StreamConsumed):
            next(r.iter_content())


def test_buffered_response_has_the_same_surface(session: httpcloak.Session, base_url: str) -> None:
    r = session.get(f"{base_url}/stream/3")
    assert r.ok and r.status_code == 200 and r.reason == "OK"
    assert r.protocol == ("h1" if base_url.startswith("http:") else "h2")
    assert len(list(r.iter_lines())) == 3
    assert r.text.count("\n") == 3


def test_gzip_helper_matches_server(session: httpcloak.Session, server: TestServer) -> None:
    # Sanity: the same text the server compresses, fetched uncompressed, round-trips.
    with session.get(f"{server.http}/compressed?encoding=gzip&size=1000", stream=True) as r:
        text = r.read()
    assert gzip.decompress(gzip.compress(text)) == text


@pytest.mark.parametrize(
    ("chunk_size", "error"),
    [("a", TypeError), (True, TypeError), (1.5, TypeError), (0, httpcloak.InvalidArgument)],
)
def test_a_bad_chunk_size_is_refused(server: TestServer, chunk_size: Any, error: type) -> None:
    with httpcloak.Session() as s, s.get(f"{server.http}/bytes/10", stream=True) as r:
        with pytest.raises(error, match="chunk_size"):
            r.iter_content(chunk_size)


def test_a_huge_chunk_size_costs_no_huge_buffer(server: TestServer) -> None:
    # Pieces are "at most chunk_size": a 10-byte body with chunk_size 1 TiB is 10 bytes.
    with httpcloak.Session() as s, s.get(f"{server.http}/bytes/10", stream=True) as r:
        assert b"".join(r.iter_content(1 << 40)) == bytes(i * 7 % 251 for i in range(10))


def test_cancel_from_another_thread_unblocks_a_reader(
    session: httpcloak.Session, base_url: str
) -> None:
    r = session.get(f"{base_url}/stall?after=10&seconds=30", stream=True)
    reader = r.iter_content()
    assert next(reader) == pattern(10)
    threading.Timer(0.2, r.close).start()
    started = time.monotonic()
    with pytest.raises(httpcloak.StreamClosed):
        next(reader)
    assert time.monotonic() - started < 1.0
