"""NDJSON: one JSON record at a time."""

from __future__ import annotations

import httpcloak

from _runner import run


def records(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s, s.get(f"{base}/ndjson?count=5", stream=True) as r:
        for record in r.iter_json():
            print(record["i"], record["text"])


if __name__ == "__main__":
    run(records)
