"""Custom fingerprints: your own HTTP/2 (Akamai) and TLS (JA3) strings over a preset, as the
server's fingerprint echo sees them."""

from __future__ import annotations

import httpcloak

from _runner import run

AKAMAI = "1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s"  # Firefox's HTTP/2 settings
JA3 = (
    "771,4865-4867-4866-49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-156-157-47-53,"
    "0-23-65281-10-11-35-16-5-34-51-43-13-45-28-65037,29-23-24-25-256-257,0"
)


def custom(base: str, verify: bool | str) -> None:
    url = base.replace("127.0.0.1", "localhost") + "/fingerprint"
    with httpcloak.Session(verify=verify) as plain:
        before = plain.get(url).json()
    with httpcloak.Session(verify=verify, akamai=AKAMAI, ja3=JA3) as custom:
        after = custom.get(url).json()
    print("preset akamai:", before["akamai"])
    print("custom akamai:", after["akamai"], after["akamai"] == AKAMAI)
    print("custom ja3 sent as given:", after["ja3"] == JA3)


if __name__ == "__main__":
    run(custom)
