"""Whatever a caller passes, the answer is a result or a clear exception: no crash, no hang."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import httpcloak

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
        session = httpcloak.Session(preset=preset, http_version=http_version, proxy=proxy)  # type: ignore[arg-type]
    except CLEAR_ERRORS as error:
        assert str(error)
        return
    session.close()


def test_secrets_stay_out_of_proxy_errors() -> None:
    try:
        httpcloak.Session(proxy="ftp://user:hunter2@127.0.0.1:1")
    except httpcloak.InvalidArgument as error:
        assert "hunter2" not in str(error)
