"""headers={name: None}: a session or preset header left out of one request (requests'
semantics), on every request path and every redirect hop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak
from httpcloak._headers import Headers, split_removals

from servers import TestServer


def _names(echo: dict[str, Any]) -> set[str]:
    return {name.lower() for name in echo["header_order"]}


# ---- pure ------------------------------------------------------------------------------


def test_split_removals_from_mapping_and_pairs() -> None:
    kept, dropped = split_removals({"X-A": "1", "Sec-Fetch-User": None})
    assert kept.multi_items() == [("X-A", "1")]
    assert dropped == ["Sec-Fetch-User"]
    kept, dropped = split_removals([("x-a", "1"), ["x-b", None], ("X-B", None)])
    assert kept.multi_items() == [("x-a", "1")]
    assert dropped == ["x-b"]


def test_none_wins_over_a_value_for_the_same_name() -> None:
    kept, dropped = split_removals([("x-a", "1"), ("X-A", None), ("x-a", "2")])
    assert kept.multi_items() == []
    assert dropped == ["X-A"]


def test_split_removals_without_removals() -> None:
    assert split_removals(None) == (Headers(), [])
    headers = Headers([("a", "1"), ("a", "2")])
    kept, dropped = split_removals(headers)
    assert kept.multi_items() == headers.multi_items() and dropped == []


@pytest.mark.parametrize(
    "bad",
    [{"bad name": None}, [("", None)], [("x",)], "x-a", {"x": 1}],
)
def test_split_removals_refuses_malformed_input(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        split_removals(bad)


# ---- through the engine ----------------------------------------------------------------


def test_session_drops_preset_and_session_headers(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, headers={"x-session": "1"}) as s:
        echo = s.get(f"{server.https}/headers").json()
        assert {"sec-fetch-user", "x-session"} <= _names(echo)
        echo = s.get(
            f"{server.https}/headers",
            headers={"Sec-Fetch-User": None, "x-session": None, "x-new": "2"},
        ).json()
        names = _names(echo)
        assert "sec-fetch-user" not in names and "x-session" not in names
        assert echo["headers"]["X-New"] == ["2"]
        # Only that request: the next one sends them again.
        assert {"sec-fetch-user", "x-session"} <= _names(s.get(f"{server.https}/headers").json())


def test_preset_order_is_kept_for_the_rest(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        full = [n.lower() for n in s.get(f"{server.https}/headers").json()["header_order"]]
        got = s.get(f"{server.https}/headers", headers={"upgrade-insecure-requests": None})
        order = [n.lower() for n in got.json()["header_order"]]
        assert order == [n for n in full if n != "upgrade-insecure-requests"]


def test_list_of_pairs_and_redirect_hops(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        r = s.get(f"{server.https}/redirect/2", headers=[("sec-fetch-user", None)])
        assert len(r.history) == 2
        assert "sec-fetch-user" not in _names(r.json())


def test_a_dropped_cookie_header_leaves_the_jar_cookies_out(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.get(f"{server.https}/cookies/set?a=1")
        assert s.get(f"{server.https}/cookies").json()["cookies"] == {"a": "1"}
        assert s.get(f"{server.https}/cookies", headers={"cookie": None}).json()["cookies"] == {}


def test_async_session_drops_headers(server: TestServer) -> None:
    async def run() -> dict[str, Any]:
        async with httpcloak.AsyncSession(verify=server.ca) as a:
            r = await a.get(f"{server.https}/headers", headers={"sec-fetch-user": None})
            echo: dict[str, Any] = r.json()
            return echo

    assert "sec-fetch-user" not in _names(asyncio.run(run()))


@pytest.fixture
def fresh_default() -> Iterator[None]:
    yield
    httpcloak.configure()


@pytest.mark.usefixtures("fresh_default")
def test_module_shortcuts_drop_headers(server: TestServer) -> None:
    echo = httpcloak.get(f"{server.http}/headers", headers={"sec-fetch-user": None}).json()
    assert "sec-fetch-user" not in _names(echo)
    echo = httpcloak.request(
        "POST", f"{server.http}/anything", headers=[("upgrade-insecure-requests", None)]
    ).json()
    assert "upgrade-insecure-requests" not in _names(echo)
