"""Fast downloads (upstream's 06_fast_downloads.py): get_fast() reads the body into one
buffer and hands it over as a memoryview, with no copy after the engine's.

Unlike upstream's, each FastResponse owns its buffer (a later get_fast() never overwrites
it), and json.loads takes bytes, not a memoryview: use r.json() or bytes(r.content).
"""

from __future__ import annotations

import time

import httpcloak

from _runner import run


def fast_downloads(base: str, verify: bool | str) -> None:
    with httpcloak.Session(verify=verify) as s:
        first = s.get_fast(f"{base}/bytes/10240")
        print("content:", type(first.content).__name__, len(first.content), "bytes")
        second = s.get_fast(f"{base}/bytes/1024")
        print(
            "the first buffer is still its own:", len(first.content) == 10240, len(second.content)
        )
        print("json:", sorted(s.get_fast(f"{base}/get").json())[:3])
        url = f"{base}/bytes/102400"
        for name, fetch in (("get_fast", s.get_fast), ("get", s.get)):
            start = time.perf_counter()
            total = sum(len(fetch(url).content) for _ in range(10))
            elapsed = time.perf_counter() - start
            print(f"{name:8} {total} bytes in {elapsed * 1000:.1f} ms")


if __name__ == "__main__":
    run(fast_downloads)
