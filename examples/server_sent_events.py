"""Server-Sent Events: one event at a time, as the server sends them."""

from __future__ import annotations

import httpcloak

from _runner import run


def listen(base: str, verify: bool | str) -> None:
    # A read timeout bounds the silence between events, not the life of the stream.
    timeout = httpcloak.Timeout(connect=10, read=60)
    with httpcloak.Session(timeout=timeout, verify=verify) as s:
        with s.get(f"{base}/sse?count=5&interval=0.1", stream=True) as r:
            for event in r.iter_events():
                payload = event.data.splitlines()[0]
                print(f"event={event.event} id={event.id} data={payload}")


if __name__ == "__main__":
    run(listen)
