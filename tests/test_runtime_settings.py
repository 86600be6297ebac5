"""Settings changed while a session runs: proxy, header order, refresh. A change applies to
requests started after it; a stream already open keeps its connection to the end."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import httpcloak

from servers import TestServer


def _proxy_stats(server: TestServer) -> dict[str, int]:
    with httpcloak.Session() as probe:
        stats: dict[str, int] = probe.get(f"{server.http}/stats").json()["proxy"]
    return stats


def _conn_id(s: httpcloak.Session, url: str) -> int:
    conn: int = s.get(f"{url}/whoami").json()["conn_id"]
    return conn


@pytest.fixture
def s(server: TestServer) -> Iterator[httpcloak.Session]:
    with httpcloak.Session(verify=server.ca) as session:
        yield session


# ---- proxy -----------------------------------------------------------------------------


def test_set_proxy_switches_new_requests_to_the_proxy_and_back(
    s: httpcloak.Session, server: TestServer
) -> None:
    assert s.get_proxy() is None
    before = _proxy_stats(server)
    s.get(f"{server.https}/get")
    assert _proxy_stats(server)["http_connect"] == before["http_connect"]

    s.set_proxy(server.proxy_url("http"))
    assert s.get_proxy() == server.proxy_url("http")
    s.get(f"{server.https}/get")
    after_proxy = _proxy_stats(server)
    assert after_proxy["http_connect"] == before["http_connect"] + 1

    s.set_proxy(None)
    assert s.get_proxy() is None
    s.get(f"{server.https}/get")
    assert _proxy_stats(server)["http_connect"] == after_proxy["http_connect"]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_an_open_stream_keeps_its_connection_across_set_proxy(
    s: httpcloak.Session, server: TestServer, scheme: str
) -> None:
    base = getattr(server, scheme)
    with s.get(f"{base}/drip?count=6&interval=0.05", stream=True) as r:
        first = next(r.iter_content())
        s.set_proxy(server.proxy_url("socks5"))  # while the body is still arriving
        before = _proxy_stats(server)["socks5"]
        assert s.get(f"{base}/get").ok  # a new request goes through the proxy
        assert _proxy_stats(server)["socks5"] == before + 1
        rest = r.read()
    assert len(first + rest) == 6 * 16


def test_set_proxy_with_wrong_credentials_never_shows_them(
    s: httpcloak.Session, server: TestServer
) -> None:
    s.set_proxy(server.proxy_url("http", password="s3cret-wrong"))
    with pytest.raises(httpcloak.ProxyError) as caught:
        s.get(f"{server.https}/get")
    assert "s3cret-wrong" not in f"{caught.value} {caught.value!r}"


def test_set_proxy_refuses_bad_urls_and_keeps_the_old_one(
    s: httpcloak.Session, server: TestServer
) -> None:
    s.set_proxy(server.proxy_url("socks5"))
    with pytest.raises(httpcloak.InvalidArgument, match="scheme"):
        s.set_proxy("ftp://127.0.0.1:1")
    with pytest.raises(TypeError):
        s.set_proxy(42)  # type: ignore[arg-type]
    assert s.get_proxy() == server.proxy_url("socks5")
    assert s.get(f"{server.https}/get").ok


def test_set_proxy_on_an_h3_session_is_refused(server: TestServer) -> None:
    with httpcloak.Session(http_version="h3") as h3:
        with pytest.raises(httpcloak.InvalidArgument, match="proxy"):
            h3.set_proxy(server.proxy_url("http"))
        assert h3.get_proxy() is None


# ---- header order ----------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_set_header_order_is_the_order_on_the_wire(
    s: httpcloak.Session, server: TestServer, scheme: str
) -> None:
    url = f"{getattr(server, scheme)}/headers"
    default = s.get_header_order()
    assert "user-agent" in default and "accept" in default
    s.set_header_order(["Accept-Language", "x-custom", "user-agent"])
    assert s.get_header_order() == ["accept-language", "x-custom", "user-agent"]
    echo = s.get(url, headers={"x-custom": "1"}).json()
    assert echo["header_order_source"] == "wire"
    wire = [n.lower() for n in echo["header_order"] if not n.startswith(":") and n != "Host"]
    assert wire[:3] == ["accept-language", "x-custom", "user-agent"]
    # The rest keep the session's order.
    assert wire[3:] == [n for n in default if n not in wire[:3] and n in wire]

    s.set_header_order([])
    assert s.get_header_order() == default
    wire = [n.lower() for n in s.get(url).json()["header_order"] if not n.startswith(":")]
    assert [n for n in wire if n != "host"] == [n for n in default if n in wire]


def test_set_header_order_refuses_bad_names(s: httpcloak.Session) -> None:
    with pytest.raises(httpcloak.InvalidArgument):
        s.set_header_order(["bad name"])
    with pytest.raises(httpcloak.InvalidArgument, match="twice"):
        s.set_header_order(["accept", "Accept"])
    with pytest.raises(TypeError):
        s.set_header_order("accept")


# ---- refresh ---------------------------------------------------------------------------


def test_refresh_drops_connections_and_keeps_cookies(
    s: httpcloak.Session, server: TestServer
) -> None:
    s.get(f"{server.https}/cookies/set?flavour=oat")
    first = _conn_id(s, server.https)
    assert _conn_id(s, server.https) == first  # pooled
    s.refresh()
    assert _conn_id(s, server.https) != first
    assert s.get(f"{server.https}/cookies").json()["cookies"] == {"flavour": "oat"}


def test_refresh_lets_an_open_stream_finish(s: httpcloak.Session, server: TestServer) -> None:
    with s.get(f"{server.https}/drip?count=5&interval=0.05", stream=True) as r:
        first = next(r.iter_content())
        s.refresh()
        assert s.get(f"{server.https}/get").ok
        assert len(first + r.read()) == 5 * 16


def _open_https(server: TestServer) -> int:
    with httpcloak.Session() as probe:
        count: int = probe.get(f"{server.http}/stats").json()["open"]["https"]
    return count


def test_a_replaced_connection_closes_once_its_last_stream_ends(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as session:
        baseline = _open_https(server)
        with session.get(f"{server.https}/drip?count=4&interval=0.05", stream=True) as r:
            next(r.iter_content())
            session.refresh()
            assert _open_https(server) >= 1  # kept for the open stream
            r.read()
        deadline = time.monotonic() + 10
        while _open_https(server) > baseline and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _open_https(server) <= baseline


def test_runtime_calls_on_a_closed_session_raise(server: TestServer) -> None:
    s = httpcloak.Session()
    s.close()
    with pytest.raises(httpcloak.StreamClosed):
        s.refresh()


# ---- fork ------------------------------------------------------------------------------


def test_fork_shares_cookies_and_options_but_not_connections(
    s: httpcloak.Session, server: TestServer
) -> None:
    s.set_header_order(["accept-language"])
    s.get(f"{server.https}/cookies/set?tab=one")
    tabs = s.fork(2)
    try:
        assert all(isinstance(t, httpcloak.Session) and t.preset == s.preset for t in tabs)
        assert tabs[0].get_header_order() == ["accept-language"]
        assert tabs[0].get(f"{server.https}/cookies").json()["cookies"] == {"tab": "one"}
        tabs[1].get(f"{server.https}/cookies/set?tab=two")  # seen by every tab
        assert s.get(f"{server.https}/cookies").json()["cookies"] == {"tab": "two"}
        ids = {_conn_id(x, server.https) for x in (s, *tabs)}
        assert len(ids) == 3
        echo = tabs[1].get(f"{server.https}/headers").json()
        assert [n for n in echo["header_order"] if not n.startswith(":")][0] == "accept-language"
    finally:
        for t in tabs:
            t.close()
    assert s.get(f"{server.https}/get").ok  # closing a fork leaves the parent working


def test_fork_of_an_async_session_is_async(server: TestServer) -> None:
    parent = httpcloak.AsyncSession(verify=server.ca, local_address="127.0.0.2")
    (child,) = parent.fork()
    try:
        assert isinstance(child, httpcloak.AsyncSession)

        async def whoami() -> str:
            remote: str = (await child.get(f"{server.http}/whoami")).json()["remote"]
            return remote

        assert asyncio.run(whoami()).startswith("127.0.0.2:")
    finally:
        child.close()
        parent.close()


def test_fork_needs_a_sensible_count(s: httpcloak.Session) -> None:
    with pytest.raises(httpcloak.InvalidArgument):
        s.fork(0)
    with pytest.raises(TypeError):
        s.fork(True)


def test_the_fork_count_is_checked_by_the_engine(s: httpcloak.Session) -> None:
    # One place holds the limit (the engine); its message says what is allowed.
    for n in (0, -1, 257):
        with pytest.raises(
            httpcloak.InvalidArgument, match=f"fork needs 1 to 256 sessions, got {n}"
        ):
            s.fork(n)


def test_a_fork_keeps_logging_tls_keys_after_its_parent_closed(
    server: TestServer, tmp_path: Path
) -> None:
    path = tmp_path / "keys.log"
    parent = httpcloak.Session(verify=server.ca, key_log_file=path)
    (child,) = parent.fork()
    parent.get(f"{server.https}/get")
    parent.close()
    logged = len(path.read_text().splitlines())
    with child:
        assert child.get(f"{server.https}/get").ok
    assert len(path.read_text().splitlines()) > logged


# ---- warmup ----------------------------------------------------------------------------


def test_warmup_is_a_navigation_that_leaves_cookies_and_a_connection(
    s: httpcloak.Session, server: TestServer
) -> None:
    page = s.warmup(f"{server.https}/cookies/set?visited=yes")
    assert page.ok
    echo = s.get(f"{server.https}/headers").json()
    assert echo["headers"]["Sec-Fetch-Mode"] == ["navigate"]
    assert echo["headers"]["Cookie"] == ["visited=yes"]
    first = echo["conn_id"]
    assert _conn_id(s, server.https) == first


def test_async_warmup(server: TestServer) -> None:
    async def visit() -> int:
        async with httpcloak.AsyncSession(verify=server.ca) as a:
            return (await a.warmup(f"{server.https}/get")).status_code

    assert asyncio.run(visit()) == 200


def _sent_header_names(session: httpcloak.Session, base: str) -> set[str]:
    names: list[str] = session.get(f"{base}/headers").json()["header_order"]
    return {name.lower() for name in names}


def test_client_hints_can_be_left_out_and_back_in(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        assert s.get_client_hints() is True
        assert "sec-ch-ua" in _sent_header_names(s, server.https)
        s.set_client_hints(False)
        assert s.get_client_hints() is False
        sent = _sent_header_names(s, server.https)
        assert not {n for n in sent if n.startswith("sec-ch-")}
        assert "user-agent" in sent
        forked = s.fork(1)[0]
        with forked:
            assert forked.get_client_hints() is False
        s.set_client_hints(True)
        assert "sec-ch-ua-platform" in _sent_header_names(s, server.https)
    with pytest.raises(TypeError):
        httpcloak.Session().set_client_hints("no")  # type: ignore[arg-type]


def test_without_client_hints_option_is_kept_by_marshal(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, without_client_hints=True) as s:
        restored = httpcloak.Session.unmarshal(s.marshal())
    with restored:
        assert restored.get_client_hints() is False
        assert "sec-ch-ua" not in _sent_header_names(restored, server.https)


def test_session_auth_applies_unless_the_request_brings_its_own(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, auth=("alice", "top-secret!")) as s:
        sent = s.get(f"{server.http}/headers").json()["headers"]["Authorization"]
        assert sent == ["Basic " + base64.b64encode(b"alice:top-secret!").decode()]
        mine = s.get(f"{server.http}/headers", auth=("bob", "pw")).json()["headers"]
        assert mine["Authorization"] == ["Basic Ym9iOnB3"]
        raw = s.get(f"{server.http}/headers", headers={"Authorization": "Bearer t"}).json()
        assert raw["headers"]["Authorization"] == ["Bearer t"]
        assert "top-secret!" not in s.marshal()
    with pytest.raises(TypeError):
        httpcloak.Session(auth=("only-user",))  # type: ignore[arg-type]


def test_stats_idle_time_and_touch(server: TestServer) -> None:
    s = httpcloak.Session(verify=server.ca)
    s.get(f"{server.http}/cookies/set?a=1")
    with s.get(f"{server.http}/drip?count=2&interval=0.1", stream=True):
        stats = s.stats()
        assert stats["open_streams"] == 1
    assert stats["preset"] == "chrome-latest"
    assert stats["request_count"] == 2 and stats["cookie_count"] == 1
    assert stats["last_used"] >= stats["created_at"] > 0
    time.sleep(0.3)
    assert s.idle_time() >= 0.25
    s.touch()
    assert s.idle_time() < 0.25
    assert s.is_active()
    s.close()
    assert not s.is_active() and s.idle_time() == -1.0


def test_session_identifier_goes_into_shared_cache_keys(
    server: TestServer, ca_trust_tag: str
) -> None:
    keys: list[str] = []
    httpcloak.configure_session_cache(
        get=lambda key: keys.append(key), put=lambda key, value, ttl: None, delete=lambda key: None
    )
    try:
        with httpcloak.Session("chrome-133", verify=server.ca) as s:
            s.set_session_identifier("user-7")
            s.get(server.https.replace("127.0.0.1", "localhost") + "/get")
            assert s.stats()["identifier"] == "user-7"
    finally:
        httpcloak.clear_session_cache()
    assert keys == [f"httpcloak:sessions:user-7:Chrome-133:{ca_trust_tag}:localhost"]
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument):
        s.set_session_identifier("has space")
