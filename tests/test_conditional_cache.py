"""The conditional cache, as the upstream bindings have it: each URL's ETag and Last-Modified
go back as If-None-Match / If-Modified-Since on its next GET, per session, with switches to
turn it off, pause it and clear it; a reload (refresh()) adds cache-control: max-age=0."""

from __future__ import annotations

import pytest

import httpcloak

from servers import TestServer


def _validators(r: httpcloak.Response) -> tuple[str | None, str | None]:
    headers = {k.lower(): v[0] for k, v in r.json()["headers"].items()}
    return headers.get("if-none-match"), headers.get("if-modified-since")


def test_second_get_revalidates_and_gets_304(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        first = s.get(f"{server.https}/cache/v1")
        assert first.status_code == 200
        assert _validators(first) == (None, None)
        second = s.get(f"{server.https}/cache/v1")
        assert second.status_code == 304  # the server said so; no body is made up
        assert second.content == b""
        assert s.stats()["cache_entry_count"] == 1


def test_validators_are_sent_as_received(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.get(f"{server.https}/cache/v2")
        # The caller's own If-None-Match wins; the server does not match it, so it echoes.
        r = s.get(f"{server.https}/cache/v2", headers={"If-None-Match": '"other"'})
        assert _validators(r) == ('"other"', None)
        r = s.get(f"{server.https}/cache/v2#part", disable_conditional_cache=True)
        assert _validators(r) == (None, None)


def test_only_get_uses_validators_and_urls_are_apart(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.get(f"{server.https}/cache/v3")
        assert _validators(s.post(f"{server.https}/cache/v3", data=b"x")) == (None, None)
        assert _validators(s.get(f"{server.https}/cache/v3?page=2")) == (None, None)


def test_turned_off_pauses_and_clear_forgets(server: TestServer) -> None:
    url = f"{server.https}/cache/v4"
    with httpcloak.Session(verify=server.ca) as s:
        assert s.get_conditional_cache() is True
        s.get(url)
        s.set_conditional_cache(False)
        assert s.get_conditional_cache() is False
        assert s.get(url).status_code == 200  # paused: nothing sent
        s.set_conditional_cache(True)
        assert s.get(url).status_code == 304  # kept while paused
        s.clear_cache()
        assert s.stats()["cache_entry_count"] == 0
        assert s.get(url).status_code == 200


def test_without_conditional_cache_never_sends_validators(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, without_conditional_cache=True) as s:
        s.get(f"{server.https}/cache/v5")
        assert s.get(f"{server.https}/cache/v5").status_code == 200
        assert s.get_conditional_cache() is False
        saved = httpcloak.Session.unmarshal(s.marshal())
        with saved:
            assert saved.get_conditional_cache() is False


def test_refresh_makes_the_next_request_a_reload(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.refresh()
        reloaded = s.get(f"{server.https}/headers").json()
        assert reloaded["headers"].get("Cache-Control") == ["max-age=0"]
        regular = [name for name in reloaded["header_order"] if not name.startswith(":")]
        assert regular[0] == "cache-control"  # first, as Chrome's reload sends it
        again = s.get(f"{server.https}/headers").json()
        assert "Cache-Control" not in again["headers"]


def test_forks_keep_their_own_validators(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.get(f"{server.https}/cache/v6")
        (tab,) = s.fork()
        with tab:
            assert tab.get(f"{server.https}/cache/v6").status_code == 200
        assert s.get(f"{server.https}/cache/v6").status_code == 304


def test_bad_switch_is_refused(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s, pytest.raises(TypeError):
        s.set_conditional_cache("yes")  # type: ignore[arg-type]
