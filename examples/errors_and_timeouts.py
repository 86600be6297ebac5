"""Errors say what happened: a stall is a ReadTimeout, a cut body an IncompleteRead."""

from __future__ import annotations

import httpcloak

from _runner import run


def failures(base: str, verify: bool | str) -> None:
    with httpcloak.Session(timeout=httpcloak.Timeout(connect=5, read=0.5), verify=verify) as s:
        try:
            with s.get(f"{base}/stall?after=10", stream=True) as r:
                r.read()
        except httpcloak.ReadTimeout as error:
            print("ReadTimeout:", error)
        try:
            s.get(f"{base}/truncated?length=1000&send=400")
        except httpcloak.IncompleteRead as error:
            print(f"IncompleteRead after {error.partial} bytes:", error)
        try:
            s.get("http://127.0.0.1:9/")
        except httpcloak.ConnectError as error:
            print("ConnectError:", error)


if __name__ == "__main__":
    run(failures)
