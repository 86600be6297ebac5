"""Whatever a caller passes, the answer is a result or a clear exception: no crash, no hang.
Bad request arguments are refused with the exception the README names, before anything is
sent; values a caller leaves as None are left out, as requests does. (Each component's own
options are refused in its own file: cookies, fingerprints, presets, proxies...)"""

from __future__ import annotations

import asyncio
import base64
import math
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import httpcloak

from servers import TestServer

CLEAR_ERRORS = (httpcloak.HTTPCloakError, TypeError, ValueError)

urls = st.one_of(
    st.text(max_size=40),
    st.builds(lambda p: f"http://127.0.0.1:1/{p}", st.text(max_size=20)),
    st.sampled_from(["", "http://", "https://[::1", "mailto:x@y", "http://a b/", "//x/y"]),
)
header_values = st.text(max_size=20)
headers = st.dictionaries(st.text(min_size=0, max_size=10), header_values, max_size=3)
timeouts: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-5, max_value=5),
    st.tuples(st.floats(), st.floats()),
    st.text(max_size=3),
)
bodies: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.binary(max_size=50), st.text(max_size=20), st.integers(), st.floats()
)


@settings(max_examples=150, deadline=None)
@given(
    method=st.text(max_size=8),
    url=urls,
    request_headers=headers,
    timeout=timeouts,
    data=bodies,
)
def test_request_arguments_never_crash(
    method: str,
    url: str,
    request_headers: dict[str, str],
    timeout: Any,
    data: Any,
) -> None:
    with httpcloak.Session(timeout=(2, 2)) as s:
        try:
            with s.request(method, url, headers=request_headers, timeout=timeout, data=data) as r:
                assert isinstance(r.status_code, int)
        except CLEAR_ERRORS as error:
            assert str(error), f"{type(error).__name__} with an empty message"


@settings(max_examples=60, deadline=None)
@given(
    preset=st.one_of(st.text(max_size=12), st.sampled_from(["chrome-latest", "firefox-135"])),
    http_version=st.text(max_size=4),
    proxy=st.one_of(st.none(), st.text(max_size=20)),
)
def test_session_options_never_crash(preset: str, http_version: str, proxy: str | None) -> None:
    try:
        session = httpcloak.Session(preset=preset, http_version=http_version, proxy=proxy)
    except CLEAR_ERRORS as error:
        assert str(error)
        return
    session.close()


def test_secrets_stay_out_of_proxy_errors() -> None:
    try:
        httpcloak.Session(proxy="ftp://user:hunter2@127.0.0.1:1")
    except httpcloak.InvalidArgument as error:
        assert "hunter2" not in str(error)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that records whether anyone connected: bad input sends nothing."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        sock.setblocking(False)
        yield sock


def _connected(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def _url(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}/"


@pytest.mark.parametrize("value", ["a\x01b", "del\x7f", "\x1f", "x\x0bz"])
def test_control_characters_in_header_values_are_refused_before_sending(
    listener: socket.socket, value: str
) -> None:
    url = _url(listener)
    reason = "control character"
    with pytest.raises(httpcloak.InvalidArgument, match=reason):
        httpcloak.get(url, headers={"x-test": value})
    with httpcloak.Session() as s:
        with pytest.raises(httpcloak.InvalidArgument, match=reason):
            s.get(url, headers={"x-test": value})
        s.headers["x-test"] = value  # a session-level edit is sent with the next request
        with pytest.raises(httpcloak.InvalidArgument, match=reason):
            s.get(url)
    with pytest.raises(httpcloak.InvalidArgument, match=reason):
        httpcloak.Session(headers={"x-test": value})

    async def via_async() -> None:
        async with httpcloak.AsyncSession() as s:
            await s.get(url, headers={"x-test": value})

    with pytest.raises(httpcloak.InvalidArgument, match=reason):
        asyncio.run(via_async())
    assert not _connected(listener)


def test_tab_and_non_ascii_header_values_still_go_out(server: TestServer) -> None:
    with httpcloak.get(f"{server.http}/headers", headers={"x-test": "a\tb é"}) as r:
        assert r.json()["headers"]["X-Test"] == ["a\tb é"]


@pytest.mark.parametrize("port", ["65536", "0", "99999999999", "-1"])
def test_out_of_range_ports_are_invalid_arguments(port: str) -> None:
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(httpcloak.InvalidArgument, match="port"):
        httpcloak.get(url)
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="port"):
        s.get(url)
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="port"):
        s.get_cookies(url)


def test_deeply_nested_json_is_an_invalid_argument(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    near_the_limit = "[" * 990 + "]" * 990  # parses, but would not re-encode
    for state in (
        deep,
        f'{{"version": 1, "options": {{}}, "cookies": [{deep}]}}',
        f'{{"version": 1, "options": {{}}, "cookies": [{near_the_limit}]}}',
        f'{{"version": 1, "options": {{"extra_fp": {{"a": {near_the_limit}}}}}}}',
    ):
        with pytest.raises(httpcloak.InvalidArgument, match="deep"):
            httpcloak.Session.unmarshal(state)
        saved = tmp_path / "state.json"
        saved.write_text(state)
        with pytest.raises(httpcloak.InvalidArgument, match="deep"):
            httpcloak.Session.load(saved)
    preset = tmp_path / "preset.json"
    preset.write_text(f'{{"name": "deep", "base": "chrome-latest", "headers": {deep}}}')
    with pytest.raises(httpcloak.InvalidArgument, match="depth"):
        httpcloak.load_preset(preset)
    with pytest.raises(httpcloak.InvalidArgument, match="depth"):
        httpcloak.load_preset_from_json(deep)


# ---- refused before anything is sent -----------------------------------------------------


@pytest.mark.parametrize("method", ["", "GET\r\n", "GET\n", "POST\t", " GET", "G ET"])
def test_a_method_is_an_http_token_never_trimmed_or_defaulted(
    server: TestServer, method: str
) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="method"):
        s.request(method, f"{server.http}/get")


@pytest.mark.parametrize(
    "headers", [{"X-A": "a\r\nX-Injected: b"}, {"Bad Name": "x"}, {"X-A": "a\x00"}]
)
def test_a_bad_header_is_invalid_argument(server: TestServer, headers: dict[str, str]) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="header"):
        s.get(f"{server.http}/get", headers=headers)
    with pytest.raises(httpcloak.InvalidArgument):
        httpcloak.Session(headers=headers)


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_json_that_is_not_json_is_refused(server: TestServer, value: Any) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="json="):
        s.post(f"{server.http}/anything", json=value)
    with httpcloak.Session() as s, pytest.raises(TypeError, match="not JSON serializable"):
        s.post(f"{server.http}/anything", json={"a": object()})  # as json.dumps says


def test_cookies_must_be_a_mapping(server: TestServer) -> None:
    with httpcloak.Session() as s, pytest.raises(TypeError, match="cookies="):
        s.get(f"{server.http}/get", cookies=5)  # type: ignore[call-overload]


def test_none_values_are_left_out(server: TestServer) -> None:
    with httpcloak.Session() as s:
        echo = s.get(
            f"{server.http}/anything",
            params={"a": "1", "b": None},
            cookies={"c": "3", "d": None},
        ).json()
        assert echo["raw_query"] == "a=1"
        assert echo["headers"]["Cookie"] == ["c=3"]
        form = s.post(f"{server.http}/anything", data={"e": "5", "f": None}).json()
        assert base64.b64decode(form["body_b64"]) == b"e=5"
        assert s.get(f"{server.http}/anything", params={"g": None}).json()["raw_query"] == ""


@pytest.mark.parametrize("name", ["Content-Length", "transfer-encoding"])
def test_body_framing_headers_are_refused(server: TestServer, name: str) -> None:
    # A stray one made HTTP/1.1 wait for a body that never came.
    with pytest.raises(httpcloak.InvalidArgument, match="set from the body"):
        httpcloak.Session(headers={name: "5"})
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match=name):
        s.get(f"{server.http}/get", headers={name: "5"})


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty URL"),
        ("ftp://127.0.0.1/file", "unsupported URL scheme"),
        ("127.0.0.1/path", "no scheme"),
        ("http://", "no host"),
        ("http://[::1", "invalid URL"),
    ],
)
def test_bad_urls_are_invalid_arguments(
    session: httpcloak.Session, url: str, fragment: str
) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=fragment):
        session.get(url, stream=True)


@pytest.mark.parametrize(
    "timeout", [-1, 0, float("nan"), float("inf"), 10**400, (10**5000, 5), "5", (1, 2, 3)]
)
def test_bad_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(httpcloak.InvalidArgument):
        httpcloak.Session(timeout=timeout)  # type: ignore[arg-type]


def test_header_injection_is_refused(session: httpcloak.Session, server: TestServer) -> None:
    with pytest.raises(ValueError, match="x-evil"):
        session.get(f"{server.http}/get", headers={"x-evil": "a\r\nInjected: yes"})


def test_body_of_the_wrong_type_is_a_type_error(
    session: httpcloak.Session, server: TestServer
) -> None:
    with pytest.raises(TypeError, match="data="):
        session.post(f"{server.http}/anything", data=12345)  # type: ignore[call-overload]
