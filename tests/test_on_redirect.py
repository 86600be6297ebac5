"""on_redirect: the caller sees each redirect hop before it is followed (status, headers,
target, next method, origin change, downgrade) and follows it, stops on it (the 3xx is
the response) or fails the request with its own exception; per request or per session, on
Session and AsyncSession (a coroutine callback is awaited on the loop, no thread)."""

from __future__ import annotations

import asyncio
import threading
import warnings
from typing import Any
from urllib.parse import quote

import pytest

import httpcloak
from httpcloak import Redirect

from servers import TestServer


class Veto(Exception):
    pass


def test_each_hop_is_seen_then_followed(server: TestServer) -> None:
    seen: list[Redirect] = []
    with httpcloak.Session() as s:
        r = s.get(f"{server.http}/redirect/3", on_redirect=seen.append)
    assert r.status_code == 200 and len(r.history) == 3
    assert [h.hop for h in seen] == [1, 2, 3]
    assert [h.status_code for h in seen] == [302, 302, 302]
    assert seen[0].url == f"{server.http}/redirect/3"
    assert seen[0].target == f"{server.http}/redirect/2"
    assert seen[2].target == f"{server.http}/get"
    assert seen[0].headers["location"] == "/redirect/2"
    assert all(h.method == "GET" and not h.cross_origin and not h.downgrade for h in seen)


def test_false_stops_the_chain_and_returns_the_3xx(server: TestServer) -> None:
    with httpcloak.Session() as s:
        r = s.get(f"{server.http}/redirect/3", on_redirect=lambda hop: hop.hop < 2)
        assert r.status_code == 302
        assert r.url == f"{server.http}/redirect/2"
        assert r.headers["location"] == "/redirect/1"
        assert r.text == "redirecting to /redirect/1\n"
        assert len(r.history) == 1
        # As a stream too: the 3xx's body is there to read.
        with s.get(f"{server.http}/redirect/2", on_redirect=lambda hop: False, stream=True) as st:
            assert st.status_code == 302 and st.read() == b"redirecting to /redirect/1\n"


def test_an_exception_fails_the_request_as_raised(server: TestServer) -> None:
    veto = Veto("not there")

    def refuse(hop: Redirect) -> None:
        if hop.hop == 2:
            raise veto

    with httpcloak.Session() as s:
        with pytest.raises(Veto) as caught:
            s.get(f"{server.http}/redirect/3", on_redirect=refuse)
        assert caught.value is veto
        assert s.stats()["open_streams"] == 0
        assert s.get(f"{server.http}/get").status_code == 200  # the session goes on


def test_method_rewrite_origin_change_and_downgrade(server: TestServer) -> None:
    seen: list[Redirect] = []
    to_http = quote(f"{server.http}/anything", safe="")
    with httpcloak.Session(verify=server.ca, on_redirect=seen.append) as s:
        s.post(f"{server.https}/redirect-to?url={to_http}&status_code=303", data=b"x")
        s.post(f"{server.http}/redirect-to?url=/anything&status_code=307", data=b"x")
        port = server.http.rsplit(":", 1)[1]
        s.get(f"{server.http}/redirect-to?url=http://localhost:{port}/get")
    downgrade, keep, other_host = seen
    assert (downgrade.method, downgrade.cross_origin, downgrade.downgrade) == ("GET", True, True)
    assert (keep.method, keep.cross_origin, keep.downgrade) == ("POST", False, False)
    assert (other_host.cross_origin, other_host.downgrade) == (True, False)
    assert other_host.target == f"http://localhost:{port}/get"


def test_session_callback_request_override_and_cap(server: TestServer) -> None:
    session_hops: list[int] = []
    own_hops: list[int] = []
    with httpcloak.Session(on_redirect=lambda h: session_hops.append(h.hop)) as s:
        s.get(f"{server.http}/redirect/2")
        s.get(f"{server.http}/redirect/2", on_redirect=lambda h: own_hops.append(h.hop))
        assert s.get(f"{server.http}/redirect/2", allow_redirects=False).status_code == 302
    assert session_hops == [1, 2] and own_hops == [1, 2]


def test_cap_is_checked_before_the_callback(server: TestServer) -> None:
    # The hop past the cap is not offered: a veto must not turn "too many" into a success.
    hops: list[int] = []
    with httpcloak.Session() as s, pytest.raises(httpcloak.TooManyRedirects):
        s.get(
            f"{server.http}/redirect/3", max_redirects=1, on_redirect=lambda h: hops.append(h.hop)
        )
    assert hops == [1]


def test_bad_callbacks_are_refused(server: TestServer) -> None:
    with pytest.raises(TypeError, match="on_redirect"):
        httpcloak.Session(on_redirect=5)  # type: ignore[arg-type]
    with httpcloak.Session() as s:
        with pytest.raises(TypeError, match="on_redirect"):
            s.get(f"{server.http}/redirect/1", on_redirect="follow")  # type: ignore[call-overload]

        def says_yes(hop: Redirect) -> Any:
            return "yes"

        with pytest.raises(TypeError, match="None or True"):
            s.get(f"{server.http}/redirect/1", on_redirect=says_yes)

        async def later(hop: Redirect) -> bool:
            return True

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "coroutine was never awaited"
            with pytest.raises(TypeError, match="AsyncSession"):
                s.get(f"{server.http}/redirect/1", on_redirect=later)
        assert s.stats()["open_streams"] == 0


def test_async_session_awaits_a_coroutine_callback_on_the_loop(server: TestServer) -> None:
    async def main() -> None:
        threads = threading.active_count()
        seen: list[tuple[int, int]] = []

        async def decide(hop: Redirect) -> bool:
            await asyncio.sleep(0)
            seen.append((hop.hop, threading.active_count()))
            return hop.hop < 2

        async with httpcloak.AsyncSession() as s:
            r = await s.get(f"{server.http}/redirect/3", on_redirect=decide)
            assert r.status_code == 302 and r.url == f"{server.http}/redirect/2"
            veto = Veto()

            def refuse(hop: Redirect) -> None:
                raise veto

            with pytest.raises(Veto) as caught:
                await s.get(f"{server.http}/redirect/1", on_redirect=refuse)
            assert caught.value is veto
        assert seen == [(1, threads), (2, threads)]

    asyncio.run(main())


def test_session_async_methods_use_the_session_callback(server: TestServer) -> None:
    with httpcloak.Session(on_redirect=lambda h: False) as s:
        r = asyncio.run(s.get_async(f"{server.http}/redirect/2"))
    assert r.status_code == 302
