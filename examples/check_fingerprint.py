"""What does a preset look like on the wire? Ask a fingerprint echo.

Against the test server (default) this prints the JA4, JA3 hash and HTTP/2 Akamai string it
computed from your ClientHello and SETTINGS. Pass the URL of any JSON fingerprint echo you
trust to check the same from the outside."""

from __future__ import annotations

import sys

import httpcloak

from _runner import TestServer


def show(url: str, verify: bool | str) -> None:
    for preset in ("chrome-latest", "firefox-latest", "safari-latest"):
        with httpcloak.Session(preset, verify=verify) as s, s.get(url, stream=True) as r:
            seen = r.json()
        print(f"{preset:15} ja4={seen.get('ja4')} akamai={seen.get('akamai')}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        show(sys.argv[1], True)
    else:
        with TestServer.start() as server:
            # By host name, so the ClientHello carries SNI as it would for a real site.
            show(server.https.replace("127.0.0.1", "localhost") + "/fingerprint", server.ca)
