"""Need the size first? HEAD, then stream the GET."""

from __future__ import annotations

import httpcloak

from _runner import run


def sized_download(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s:
        size = int(s.head(f"{base}/bytes/250000").headers.get("content-length", -1))
        print("size from HEAD:", size)
        with s.get(f"{base}/bytes/250000", stream=True) as r:
            got = sum(len(chunk) for chunk in r.iter_content(65536))
        print("streamed:", got, "matches" if got == size else "differs")


if __name__ == "__main__":
    run(sized_download)
