"""The everyday calls: module shortcuts, params, JSON and form bodies, headers, statuses."""

from __future__ import annotations

import httpcloak

from _runner import run


def basics(base: str, verify: bool | str) -> None:
    httpcloak.configure(preset="chrome-latest", verify=verify)
    r = httpcloak.get(f"{base}/get", params={"q": "search term", "page": 2})
    print("GET", r.status_code, r.protocol, r.json()["query"])

    with httpcloak.Session(verify=verify) as s:
        r = s.post(f"{base}/anything", json={"name": "value"})
        print("JSON body:", r.json()["headers"]["Content-Type"][0], r.json()["body_len"], "bytes")
        r = s.post(f"{base}/anything", data={"field": "value"})
        print("form body:", r.json()["headers"]["Content-Type"][0])
        r = s.get(f"{base}/headers", headers={"X-Custom": "yes"})
        print("custom header sent:", r.json()["headers"]["X-Custom"][0])
        r = s.get(f"{base}/status/404")
        try:
            r.raise_for_status()
        except httpcloak.HTTPStatusError as e:
            print("status error:", e)


if __name__ == "__main__":
    run(basics)
