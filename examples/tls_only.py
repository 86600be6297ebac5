"""tls_only: the preset's TLS and HTTP/2 fingerprint with your own headers only (for a
client that already sends a real browser's headers)."""

from __future__ import annotations

import httpcloak

from _runner import run


def tls_only(base: str, verify: bool | str) -> None:
    url = base.replace("127.0.0.1", "localhost") + "/fingerprint"
    mine = {"User-Agent": "MyBrowser/1.0", "Accept": "*/*"}
    with (
        httpcloak.Session(verify=verify) as full,
        httpcloak.Session(verify=verify, tls_only=True, headers=mine) as bare,
    ):
        a, b = full.get(url).json(), bare.get(url).json()
    print("same ja4:", a["ja4"] == b["ja4"], "same akamai:", a["akamai"] == b["akamai"])
    print("preset headers:", len(a["header_order"]), "tls_only headers:", b["header_order"])


if __name__ == "__main__":
    run(tls_only)
