"""Request bodies: bytes, files and generators, streamed, binary-safe, for every method."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

import httpcloak

from raw_h2 import DATA, END_STREAM, HEADERS, RST_STREAM, Peer, RawH2Server, ok_response
from servers import TestServer

BINARY = bytes(range(256)) * 1000 + b"\x00\r\n\x00"  # NULs and line breaks survive


def _echo(session: httpcloak.Session, base: str, method: str, data: Any) -> dict[str, Any]:
    echoed: dict[str, Any] = session.request(method, f"{base}/anything", data=data).json()
    return echoed


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "GET"])
def test_bytes_body_for_every_method(
    session: httpcloak.Session, base_url: str, method: str
) -> None:
    echoed = _echo(session, base_url, method, BINARY)
    assert echoed["method"] == method
    assert echoed["body_len"] == len(BINARY)
    assert echoed["body_sha256"] == hashlib.sha256(BINARY).hexdigest()


def test_file_body_is_streamed_with_its_length(
    session: httpcloak.Session, base_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(BINARY * 8)
    with path.open("rb") as f:
        echoed = _echo(session, base_url, "POST", f)
    assert echoed["body_len"] == len(BINARY) * 8
    assert echoed["body_sha256"] == hashlib.sha256(BINARY * 8).hexdigest()
    headers = echoed["headers"]
    assert isinstance(headers, dict)
    assert headers.get("Content-Length") == [str(len(BINARY) * 8)]


def test_generator_body_is_sent_chunked(session: httpcloak.Session, server: TestServer) -> None:
    def pieces() -> Iterator[bytes]:
        for i in range(50):
            yield BINARY[i * 100 : (i + 1) * 100]

    echoed = _echo(session, server.http, "POST", pieces())
    assert echoed["body_len"] == 5000
    headers = echoed["headers"]
    assert isinstance(headers, dict)
    assert "Content-Length" not in headers
    assert headers.get("Transfer-Encoding", ["chunked"]) == ["chunked"]


def test_file_like_without_a_descriptor(session: httpcloak.Session, base_url: str) -> None:
    echoed = _echo(session, base_url, "PUT", io.BytesIO(BINARY))
    assert echoed["body_sha256"] == hashlib.sha256(BINARY).hexdigest()


def test_a_big_streamed_upload_round_trips_through_echo(
    session: httpcloak.Session, base_url: str
) -> None:
    size = 32 << 20

    def pieces() -> Iterator[bytes]:
        block = bytes(range(256)) * 256  # 64 KiB
        for _ in range(size // len(block)):
            yield block

    received = 0
    with session.post(f"{base_url}/echo", data=pieces(), stream=True) as r:
        for chunk in r.iter_content():
            received += len(chunk)
    assert received == size


def test_a_failing_body_iterator_raises_its_own_error(
    session: httpcloak.Session, server: TestServer
) -> None:
    def pieces() -> Iterator[bytes]:
        yield b"first"
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        session.post(f"{server.http}/anything", data=pieces())
    assert session.get(f"{server.http}/get").status_code == 200


def test_an_upload_cut_by_the_server_raises_with_the_reason(
    session: httpcloak.Session, server: TestServer
) -> None:
    # /truncated answers without reading the body, then drops the connection.
    def endless() -> Iterator[bytes]:
        while True:
            yield b"x" * 65536

    with pytest.raises(httpcloak.HTTPCloakError) as caught:
        with session.post(f"{server.http}/truncated?length=100&send=10", data=endless()) as r:
            r.read()
    assert str(caught.value)


class ShrinksWhileRead(io.FileIO):
    """A file cut short while it is sent (a log rotated under us): after a few 64 KiB reads,
    more than the engine queues, so the request is already on the wire, nothing is left,
    though its size said more when the upload started."""

    reads_before_the_cut = 6

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.reads_before_the_cut -= 1
        if self.reads_before_the_cut == 0:
            os.truncate(self.name, self.tell())
        return chunk


SHRINKING_SIZE = 1_000_000


def _shrinking_file(tmp_path: Path) -> ShrinksWhileRead:
    path = tmp_path / "shrinking.bin"
    path.write_bytes(b"x" * SHRINKING_SIZE)
    return ShrinksWhileRead(path)


@pytest.mark.parametrize("protocol", ["h1", "h2", "h3"])
def test_a_body_that_shrinks_below_its_content_length_raises(
    server: TestServer, tmp_path: Path, protocol: str
) -> None:
    # Ending it cleanly would hand the server fewer bytes as if they were the whole body.
    base = {"h1": server.http, "h2": server.https, "h3": server.h3}[protocol]
    version: Literal["auto", "h3"] = "h3" if protocol == "h3" else "auto"
    with httpcloak.Session(verify=server.ca, http_version=version) as s:
        with _shrinking_file(tmp_path) as f, pytest.raises(httpcloak.ProtocolError) as caught:
            s.post(f"{base}/anything", data=f)
        assert f"of its {SHRINKING_SIZE} declared bytes" in str(caught.value)
        assert s.get(f"{base}/get").status_code == 200


def test_over_h2_a_shrinking_body_resets_its_stream(server: TestServer, tmp_path: Path) -> None:
    ended: list[str] = []  # how the upload's stream ended, as the server saw it
    received = [0]
    done = threading.Event()

    def handler(peer: Peer, index: int) -> None:
        peer.handshake()
        while not done.is_set() and (f := peer.next_frame()) is not None:
            if f.type == DATA:
                received[0] += len(f.payload)
            if f.type in (HEADERS, DATA) and f.flags & END_STREAM:
                ended.append("END_STREAM")
                peer.send(ok_response(f.stream))  # the server takes the short body as whole
                done.set()
            elif f.type == RST_STREAM:
                ended.append("RST_STREAM")
                done.set()

    with RawH2Server(server.server_pem, handler) as raw:
        with httpcloak.Session(verify=server.ca, timeout=30) as s:
            with _shrinking_file(tmp_path) as f, pytest.raises(httpcloak.ProtocolError):
                s.post(f"{raw.url}/upload", data=f)
            assert done.wait(timeout=30)
    assert not raw.errors
    assert ended == ["RST_STREAM"]
    assert 0 < received[0] < SHRINKING_SIZE


def test_a_streamed_body_is_not_replayed_on_307(
    session: httpcloak.Session, server: TestServer
) -> None:
    url = f"{server.http}/redirect-to?url=/anything&status_code=307"
    with pytest.raises(httpcloak.InvalidArgument, match="cannot be replayed"):
        session.post(url, data=iter([b"once"]))
    echoed = session.post(url, data=b"bytes replay").json()
    assert echoed["method"] == "POST" and echoed["body_len"] == len(b"bytes replay")


def test_wrong_chunk_type_is_a_type_error(session: httpcloak.Session, server: TestServer) -> None:
    with pytest.raises(TypeError, match="iterable body"):
        session.post(f"{server.http}/anything", data=iter([b"ok", 42]))  # type: ignore[arg-type]


def test_multipart_files_are_streamed_binary_safe(
    session: httpcloak.Session, base_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "photo.bin"
    path.write_bytes(BINARY)
    with path.open("rb") as f:
        echoed = session.post(
            f"{base_url}/anything",
            data={"title": "holiday"},
            files={"photo": f, "note": ("note.txt", b"hi\x00", "text/plain")},
        ).json()
    content_type = echoed["headers"]["Content-Type"][0]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=")[1]
    expected = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\nholiday\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="photo"; filename="photo.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + BINARY
        + (
            f"\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="note"; filename="note.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + b"hi\x00"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    assert echoed["body_sha256"] == hashlib.sha256(expected).hexdigest()


def test_a_part_type_is_guessed_from_its_file_name(
    session: httpcloak.Session, server: TestServer
) -> None:
    echoed = session.post(
        f"{server.http}/anything", files={"a": ("x.png", b"\x89PNG"), "b": ("blob", b"?")}
    ).json()
    body = base64.b64decode(echoed["body_b64"])
    assert b'filename="x.png"\r\nContent-Type: image/png\r\n' in body
    assert b'filename="blob"\r\nContent-Type: application/octet-stream\r\n' in body


def test_basic_auth(session: httpcloak.Session, server: TestServer) -> None:
    echoed = session.get(f"{server.http}/headers", auth=("aladdin", "opensesame")).json()
    assert echoed["headers"]["Authorization"] == ["Basic YWxhZGRpbjpvcGVuc2VzYW1l"]
