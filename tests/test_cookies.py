"""The session jar: cookies from streamed responses and redirects go out on the next request."""

from __future__ import annotations

import httpcloak


def test_cookie_from_a_streamed_response_goes_out_next(
    session: httpcloak.Session, base_url: str
) -> None:
    with session.get(f"{base_url}/cookies/stream?flavor=oat&lines=5", stream=True) as r:
        assert r.cookies == {"flavor": "oat"}
        assert len(list(r.iter_lines())) == 5
    assert session.cookies["flavor"] == "oat"
    echoed = session.get(f"{base_url}/cookies").json()
    assert echoed["cookies"] == {"flavor": "oat"}


def test_cookie_set_during_a_redirect_lands_in_the_jar(
    session: httpcloak.Session, base_url: str
) -> None:
    url = f"{base_url}/redirect-with-cookie?to=/cookies&hop=1"
    with session.get(url, stream=True) as r:
        assert r.url.endswith("/cookies")
        assert [h.status_code for h in r.history] == [302]
        assert r.json()["cookies"] == {"hop": "1"}
    assert session.cookies["hop"] == "1"


def test_redirect_not_followed_when_disallowed(session: httpcloak.Session, base_url: str) -> None:
    url = f"{base_url}/redirect-with-cookie?to=/cookies&hop=2"
    with session.get(url, stream=True, allow_redirects=False) as r:
        assert r.status_code == 302
        assert r.is_redirect
    assert session.cookies["hop"] == "2"


def test_cookie_objects_carry_their_scope(session: httpcloak.Session, base_url: str) -> None:
    session.get(f"{base_url}/cookies/set?a=1")
    (cookie,) = session.cookies.list()
    assert (cookie.name, cookie.value, cookie.domain, cookie.path) == ("a", "1", "127.0.0.1", "/")


def test_per_request_cookies_are_sent(session: httpcloak.Session, base_url: str) -> None:
    echoed = session.get(f"{base_url}/cookies", cookies={"x": "y"}).json()
    assert echoed["cookies"] == {"x": "y"}
