"""Presets: list them, look inside one, and rotate identities with a PresetPool."""

from __future__ import annotations

import httpcloak

from _runner import run


def presets(base: str, verify: bool | str) -> None:
    names = httpcloak.available_presets()
    print("presets:", ", ".join(names))
    info = httpcloak.preset_info("chrome-latest")
    print("chrome-latest is", info.alias_of, "with", len(info.headers), "headers")
    pool = httpcloak.PresetPool(["chrome-latest", "firefox-latest", "safari-latest"])
    for _ in range(3):
        name = pool.next()
        with httpcloak.Session(name, verify=verify) as s:
            agent = s.get(f"{base}/headers").json()["headers"]["User-Agent"][0]
            print(f"{name:15} {agent[:60]}")


if __name__ == "__main__":
    run(presets)
