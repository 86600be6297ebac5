"""The body as a file object: copy it to a file, or read a tar archive as it streams."""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile

import httpcloak

from _runner import run


def pipe(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s:
        with s.get(f"{base}/bytes/1000000", stream=True) as r, tempfile.TemporaryFile() as f:
            shutil.copyfileobj(r.raw, f)
            print("copied", f.tell(), "bytes")

        # Make a small tar.gz, send it to the echo endpoint, and unpack the echo as it
        # arrives: tarfile reads forward only ("r|*"), straight from r.raw.
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            info = tarfile.TarInfo("hello.txt")
            info.size = 6
            tar.addfile(info, io.BytesIO(b"hello\n"))
        with s.post(f"{base}/echo", data=archive.getvalue(), stream=True) as r:
            with tarfile.open(fileobj=r.raw, mode="r|*") as tar:
                for member in tar:
                    print("member", member.name, member.size)


if __name__ == "__main__":
    run(pipe)
