"""httpcloak.get(...) etc. on a default session that configure() shapes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import httpcloak

from servers import TestServer


@pytest.fixture(autouse=True)
def fresh_default() -> Iterator[None]:
    yield
    httpcloak.configure()


def test_module_level_requests(server: TestServer) -> None:
    assert httpcloak.get(f"{server.http}/get").status_code == 200
    assert httpcloak.post(f"{server.http}/anything", data=b"x").json()["method"] == "POST"
    with httpcloak.get(f"{server.http}/stream/2", stream=True) as r:
        assert len(list(r.iter_lines())) == 2
    assert httpcloak.request("PUT", f"{server.http}/anything").json()["method"] == "PUT"
    assert httpcloak.head(f"{server.http}/redirect/1").status_code == 302


def test_configure_shapes_the_default_session(server: TestServer) -> None:
    with pytest.raises(httpcloak.TLSError):
        httpcloak.get(f"{server.https}/get")
    httpcloak.configure(verify=server.ca, preset="firefox-latest")
    echoed = httpcloak.get(f"{server.https}/headers").json()
    assert "Firefox" in echoed["headers"]["User-Agent"][0]


def test_configure_refuses_bad_options_at_once() -> None:
    with pytest.raises(httpcloak.InvalidArgument):
        httpcloak.configure(preset="netscape")


def test_module_level_cookies_persist(server: TestServer) -> None:
    httpcloak.get(f"{server.http}/cookies/set?m=1")
    assert httpcloak.get(f"{server.http}/cookies").json()["cookies"] == {"m": "1"}
