"""HTTP/2: an event stream and ordinary requests side by side on one connection."""

from __future__ import annotations

import httpcloak

from _runner import run


def side_by_side(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s:
        with s.get(f"{base}/sse?count=3&interval=0.1", stream=True) as events:
            for event in events.iter_events():
                who = s.get(f"{base}/whoami").json()
                print(f"event {event.id} while a request ran on connection {who['conn_id']}")
            print("protocol:", events.protocol)


if __name__ == "__main__":
    run(side_by_side)
