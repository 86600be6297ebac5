"""Code written for the upstream Python binding runs unchanged: its call shapes, names and
no-op options (docs/parity.md lists where behaviour differs on purpose)."""

from __future__ import annotations

import httpcloak

from servers import TestServer


def test_params_and_bodies_by_position(server: TestServer) -> None:
    with httpcloak.Session() as s:
        assert s.get(f"{server.http}/anything", {"a": "1"}).json()["raw_query"] == "a=1"
        assert s.post(f"{server.http}/anything", b"abc").json()["body_len"] == 3
        assert s.post(f"{server.http}/anything", None, {"j": 1}).json()["body_len"] == 7
        assert s.put(f"{server.http}/anything", b"xy").json()["body_len"] == 2
        echo = s.request("POST", f"{server.http}/anything", {"q": "1"}, b"z").json()
        assert (echo["raw_query"], echo["body_len"]) == ("q=1", 1)
    assert httpcloak.get(f"{server.http}/anything", {"m": "1"}).json()["raw_query"] == "m=1"


def test_module_calls_take_session_options(server: TestServer) -> None:
    # verify= and friends make a session for that call alone.
    assert httpcloak.get(f"{server.https}/get", verify=server.ca).status_code == 200
    assert httpcloak.get(f"{server.http}/get", without_cookie_jar=True).status_code == 200
    r = httpcloak.get(f"{server.https}/stream/3", verify=server.ca, http_version="h1", stream=True)
    with r:
        assert r.protocol == "h1" and len(list(r.iter_lines())) == 3


def test_upstream_names(server: TestServer) -> None:
    with httpcloak.Session(
        quic_idle_timeout=0,  # upstream's "the default"
        disable_ech=True,
        without_conditional_cache=True,
        without_high_entropy_client_hints=True,
    ) as s:
        s.set_proxy(proxy_url=None)
        r = s.get(f"{server.http}/redirect/1")
        assert r.final_url == r.url and r.body == r.content
        with s.get(f"{server.http}/get", stream=True) as streamed:
            assert streamed.final_url == streamed.url
    assert httpcloak.version() == httpcloak.__version__
    httpcloak.trim_memory()
    with httpcloak.PresetPool(["chrome-133"]) as pool:
        assert pool.next() == "chrome-133"
    assert httpcloak.Cookie("a", "b").domain == ""


def test_requests_exception_names_catch_our_errors(server: TestServer) -> None:
    import httpcloak as requests  # the port this is for

    try:
        requests.get("http://127.0.0.1:9/")
    except requests.exceptions.ConnectionError as error:
        assert isinstance(error, requests.exceptions.RequestException)
    r = requests.get(f"{server.http}/status/404")
    try:
        r.raise_for_status()
    except requests.exceptions.HTTPError as error:
        assert error.response is r


def test_redirect_hops_carry_their_protocol_and_reason(server: TestServer) -> None:
    with httpcloak.Session() as s:
        r = s.get(f"{server.http}/redirect/1")
    assert [(h.protocol, h.reason) for h in r.history] == [("h1", "Found")]
