"""Uploads: a multipart file from an open file object, and a body streamed from a generator
(neither is held in memory whole)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import httpcloak

from _runner import run


def chunks() -> Iterator[bytes]:
    for i in range(100):
        yield bytes([i % 256]) * 10_000


def uploads(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s, tempfile.TemporaryFile() as f:
        f.write(b"\x00\x01binary-safe\xff" * 1000)
        f.seek(0)
        r = s.post(f"{base}/anything", files={"upload": ("data.bin", f)}, data={"note": "hi"})
        print("multipart:", r.json()["headers"]["Content-Type"][0].split(";")[0])
        r = s.post(f"{base}/anything", data=chunks())
        print("streamed body:", r.json()["body_len"], "bytes")


if __name__ == "__main__":
    run(uploads)
