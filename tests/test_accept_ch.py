"""High-entropy client hints, as Chromium sends them: an origin that answers Accept-CH gets
the hints it names on its later requests (the preset's values, after sec-ch-ua-platform),
other origins do not; Firefox presets send none; without_high_entropy_client_hints,
set_high_entropy_client_hints(False) and disable_high_entropy_client_hints=True turn them
off, and the caller's own value of a hint wins."""

from __future__ import annotations

from typing import Any

import httpcloak

from servers import TestServer

ASKED = "sec-ch-ua-full-version-list, sec-ch-ua-platform-version, sec-ch-ua-arch, sec-ch-ua-bitness"
HIGH_ENTROPY = (
    "sec-ch-ua-arch",
    "sec-ch-ua-platform-version",
    "sec-ch-ua-model",
    "sec-ch-ua-full-version",
    "sec-ch-ua-full-version-list",
    "sec-ch-ua-bitness",
    "sec-ch-ua-wow64",
    "sec-ch-ua-form-factors",
)


def _sent(r: httpcloak.Response) -> dict[str, str]:
    reply: dict[str, Any] = r.json()
    return {name.lower(): values[0] for name, values in reply["headers"].items()}


def _order(r: httpcloak.Response) -> list[str]:
    return [n for n in r.json()["header_order"] if not n.startswith(":")]


def _ask(s: httpcloak.Session, base: str, hints: str = ASKED, *, first: bool = True) -> None:
    r = s.get(f"{base}/response-headers", params={"Accept-CH": hints})
    assert r.headers["accept-ch"] == hints
    if first:
        assert not any(name in _sent(r) for name in HIGH_ENTROPY)  # not before it is asked


def test_an_origin_that_asks_gets_the_hints_it_named(server: TestServer) -> None:
    with httpcloak.Session("chrome-latest-windows", verify=server.ca) as s:
        _ask(s, server.https)
        r = s.get(f"{server.https}/headers")
        sent = _sent(r)
        assert sent["sec-ch-ua-arch"] == '"x86"'
        assert sent["sec-ch-ua-bitness"] == '"64"'
        assert sent["sec-ch-ua-platform-version"] == '"15.0.0"'
        # The brands and order of sec-ch-ua, with the captured build.
        brands = sent["sec-ch-ua"].split(", ")
        full = sent["sec-ch-ua-full-version-list"].split(", ")
        assert [b.split(";")[0] for b in full] == [b.split(";")[0] for b in brands]
        assert '"Google Chrome";v="156.0.8078.129"' in full
        assert '"Chromium";v="156.0.8078.129"' in full
        assert "sec-ch-ua-model" not in sent and "sec-ch-ua-wow64" not in sent  # not asked
        order = _order(r)
        at = order.index("sec-ch-ua-platform")
        assert order[at + 1 : at + 4] == [
            "sec-ch-ua-arch",
            "sec-ch-ua-platform-version",
            "sec-ch-ua-full-version-list",
        ]
        # Another origin did not ask: nothing goes there.
        other = _sent(s.get(f"{server.http}/headers".replace("127.0.0.1", "localhost")))
        assert not any(name in other for name in HIGH_ENTROPY)
        # A new Accept-CH replaces the set.
        _ask(s, server.https, "sec-ch-ua-model", first=False)
        again = _sent(s.get(f"{server.https}/headers"))
        assert again["sec-ch-ua-model"] == '""' and "sec-ch-ua-arch" not in again


def test_platform_values(server: TestServer) -> None:
    expected = {
        "chrome-latest-macos": ('"arm"', '"14.5.0"', '"Desktop"'),
        "chrome-latest-linux": ('"x86"', '""', '"Desktop"'),
        "chrome-latest-android": ('""', '"14.0.0"', '"Mobile"'),
    }
    for preset, (arch, version, form) in expected.items():
        with httpcloak.Session(preset) as s:
            _ask(
                s, server.http, "sec-ch-ua-arch, sec-ch-ua-platform-version, sec-ch-ua-form-factors"
            )
            sent = _sent(s.get(f"{server.http}/headers"))
            assert (
                sent["sec-ch-ua-arch"],
                sent["sec-ch-ua-platform-version"],
                sent["sec-ch-ua-form-factors"],
            ) == (arch, version, form), preset


def test_switches_turn_them_off(server: TestServer) -> None:
    url = f"{server.http}/headers"
    with httpcloak.Session(without_high_entropy_client_hints=True) as s:
        assert s.get_high_entropy_client_hints() is False
        _ask(s, server.http)
        assert "sec-ch-ua-arch" not in _sent(s.get(url))
        s.set_high_entropy_client_hints(True)
        assert _sent(s.get(url))["sec-ch-ua-arch"] == '"x86"'
        assert "sec-ch-ua-arch" not in _sent(s.get(url, disable_high_entropy_client_hints=True))
        assert "sec-ch-ua-arch" not in _sent(s.get(url, disable_client_hints=True))
        own = _sent(s.get(url, headers={"sec-ch-ua-arch": '"arm"'}))
        assert own["sec-ch-ua-arch"] == '"arm"'
        s.set_high_entropy_client_hints(False)
        assert "sec-ch-ua-arch" not in _sent(s.get(url))
        s.set_high_entropy_client_hints(True)
        s.set_client_hints(False)
        assert not any(n.startswith("sec-ch-") for n in _sent(s.get(url)))


def test_firefox_sends_none(server: TestServer) -> None:
    with httpcloak.Session("firefox-latest") as s:
        s.get(f"{server.http}/response-headers", params={"Accept-CH": ASKED})
        assert not any(n.startswith("sec-ch-") for n in _sent(s.get(f"{server.http}/headers")))
