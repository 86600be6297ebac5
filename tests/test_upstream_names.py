"""Code written for the upstream Python binding runs unchanged: its call shapes, names and
no-op options (docs/parity.md lists where behaviour differs on purpose)."""

from __future__ import annotations

import json
import time

import pytest

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


def test_retry_waits_are_milliseconds(server: TestServer) -> None:
    flaky = f"{server.http}/flaky?key=ms-{id(server)}&fail=1"
    # 300 ms each way; as seconds this would be 5 minutes, far past the timeout.
    with httpcloak.Session(retry=1, retry_wait_min=300, retry_wait_max=300, timeout=20) as s:
        started = time.monotonic()
        r = s.get(flaky)
        waited = time.monotonic() - started
        assert (r.status_code, r.json()["attempt"]) == (200, 2)
        assert 0.29 <= waited < 15
        options = json.loads(s.marshal())["options"]
        assert (options["retry_wait_min"], options["retry_wait_max"]) == (300, 300)
    # Upstream's defaults, written out, are accepted (as seconds they were refused).
    httpcloak.Session(retry_wait_min=500, retry_wait_max=10000).close()
    with pytest.raises(httpcloak.InvalidArgument, match="milliseconds"):
        httpcloak.Session(retry_wait_min=-1)


def test_a_state_saved_in_seconds_still_loads(server: TestServer) -> None:
    with httpcloak.Session(retry=2, retry_wait_min=250, retry_wait_max=4000) as s:
        state = json.loads(s.marshal())
    assert state["version"] == 2
    # What version 1 wrote for the same session: the bounds in seconds.
    state["version"] = 1
    state["options"].update(retry_wait_min=0.25, retry_wait_max=4)
    with httpcloak.Session.unmarshal(json.dumps(state)) as restored:
        options = json.loads(restored.marshal())["options"]
    assert (options["retry_wait_min"], options["retry_wait_max"]) == (250, 4000)


@pytest.mark.parametrize(
    ("given", "protocol"),
    [("http1", "h1"), ("1.1", "h1"), ("http2", "h2"), ("2", "h2"), ("HTTP2", "h2")],
)
def test_http_version_aliases(server: TestServer, given: str, protocol: str) -> None:
    with httpcloak.Session(verify=server.ca, http_version=given) as s:
        assert s.http_version == protocol
        assert s.get(f"{server.https}/get").protocol == protocol


def test_http_version_unknown_is_refused() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="http_version"):
        httpcloak.Session(http_version="spdy")


def test_upstream_positional_shapes(server: TestServer) -> None:
    proxy = None  # upstream's examples: Session("chrome-latest", proxy)
    with httpcloak.Session("chrome-latest", proxy) as s:
        assert s.delete(f"{server.http}/anything", {"d": "1"}).json()["raw_query"] == "d=1"
        assert s.head(f"{server.http}/anything", {"h": "1"}).status_code == 200
        assert s.options(f"{server.http}/anything", {"o": "1"}).json()["raw_query"] == "o=1"
        echo = s.patch(f"{server.http}/anything", None, {"j": 1}).json()
        assert echo["body_len"] == 7
        page = s.warmup(f"{server.http}/get", 5000)  # milliseconds, as upstream
        assert page.status_code == 200
    httpcloak.configure("firefox-latest")
    try:
        r = httpcloak.get(f"{server.http}/headers")
        assert "Firefox" in r.json()["headers"]["User-Agent"][0]
    finally:
        httpcloak.configure()


def test_warmup_timeout_is_milliseconds(server: TestServer) -> None:
    with httpcloak.Session() as s:
        # 300 ms; as seconds the page, 3 s slow, would be waited for.
        with pytest.raises(httpcloak.TimeoutException):
            s.warmup(f"{server.http}/slow-headers?delay=3", 300)


def test_refresh_switches_protocol_as_upstream_and_keeps_it(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        assert s.get(f"{server.https}/get").protocol == "h2"
        s.refresh(switch_protocol="http1")  # upstream's spellings too
        assert s.http_version == "h1"
        assert s.get(f"{server.https}/get").protocol == "h1"
        s.refresh()  # a plain refresh keeps the protocol switched to
        assert s.get(f"{server.https}/get").protocol == "h1"
        s.refresh("h3")
        assert s.get(f"{server.h3}/get").protocol == "h3"
        s.refresh("auto")
        assert s.get(f"{server.https}/get").protocol == "h2"
        with pytest.raises(httpcloak.InvalidArgument):
            s.refresh("spdy")
        assert s.http_version == "auto"


def test_session_switch_protocol_is_what_every_refresh_lands_on(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, switch_protocol="h1") as s:
        assert s.get(f"{server.https}/get").protocol == "h2"  # before any refresh: auto
        s.refresh()
        assert s.get(f"{server.https}/get").protocol == "h1"
        saved = httpcloak.Session.unmarshal(s.marshal())
        with saved:
            assert saved.http_version == "h1"


def test_a_refused_switch_changes_nothing(server: TestServer) -> None:
    ja3 = (
        "771,4865-4866-4867-49195-49199,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513-21,"
        "29-23-24,0"
    )
    with httpcloak.Session(verify=server.ca, ja3=ja3) as s:
        with pytest.raises(httpcloak.InvalidArgument, match="HTTP/3"):
            s.refresh("h3")
        assert s.http_version == "auto"
        assert s.get(f"{server.https}/get").protocol == "h2"
