"""The C ABI: the header is the one contract, and handles cannot be confused or forged."""

from __future__ import annotations

import json
import re
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import httpcloak
from httpcloak import _abi, _ffi

from servers import TestServer

REPO_HEADER = Path(__file__).resolve().parent.parent / "go" / "httpcloak.h"


def _declared_functions() -> set[str]:
    cdef = _ffi.cdef_from_header(REPO_HEADER.read_text())
    return set(re.findall(r"\b(hc_[a-z_]+)\s*\(", cdef))


def test_shipped_header_is_the_repository_header() -> None:
    assert _ffi.HEADER_PATH.read_text() == REPO_HEADER.read_text(), (
        "httpcloak/_native/httpcloak.h is stale: run `python build_go.py`"
    )


def test_every_exported_symbol_is_declared_and_every_declaration_exported() -> None:
    symbols = subprocess.run(
        ["nm", "-D", "--defined-only", str(_ffi.LIBRARY_PATH)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    exported = set(re.findall(r"\bT (hc_[a-z_]+)$", symbols, re.M))
    assert exported == _declared_functions()


def test_abi_version_matches() -> None:
    assert _ffi.lib.hc_abi_version() == _ffi.ABI_VERSION


@pytest.mark.parametrize("handle", [0, -1, 1, 2**40 + 10**9, 2**62])
def test_unknown_handles_are_closed_errors_not_crashes(handle: int) -> None:
    err: Any = _ffi.ffi.new("hc_error *")
    buf = _ffi.ffi.new("uint8_t[16]")
    assert _ffi.lib.hc_stream_read(handle, buf, 16, 0, err) == _ffi.lib.HC_READ_ERROR
    assert err.kind == _ffi.lib.HC_ERR_CLOSED
    assert _ffi.lib.hc_stream_close(handle, err) == -1
    assert err.kind == _ffi.lib.HC_ERR_CLOSED
    _ffi.lib.hc_stream_cancel(handle)  # ignored, never a crash
    assert _ffi.lib.hc_session_close(handle, err) == -1
    assert err.kind == _ffi.lib.HC_ERR_CLOSED


def test_null_and_negative_lengths_are_invalid_arguments() -> None:
    err: Any = _ffi.ffi.new("hc_error *")
    assert _ffi.lib.hc_session_new(_ffi.ffi.NULL, 5, err) == 0
    assert err.kind == _ffi.lib.HC_ERR_INVALID_ARGUMENT
    assert _ffi.lib.hc_session_new(b"{}", -3, err) == 0
    assert err.kind == _ffi.lib.HC_ERR_INVALID_ARGUMENT


def test_malformed_and_unknown_options_are_refused() -> None:
    err: Any = _ffi.ffi.new("hc_error *")
    for options in (b"{not json", b'{"presett": "chrome"}', b'{"preset": 5}'):
        assert _ffi.lib.hc_session_new(options, len(options), err) == 0
        assert err.kind == _ffi.lib.HC_ERR_INVALID_ARGUMENT
        assert _abi.error_message(err)


def _stats() -> dict[str, int]:
    out = _ffi.ffi.new("char **")
    err: Any = _ffi.ffi.new("hc_error *")
    length = _ffi.lib.hc_stats(out, err)
    assert length > 0
    stats: dict[str, int] = _ffi.take_json(out[0], length)
    return stats


def test_tables_return_to_baseline(server: TestServer) -> None:
    before = _stats()
    with httpcloak.Session() as s:
        for i in range(20):
            r = s.get(f"{server.http}/bytes/{1000 + i}", stream=True)
            if i % 2:
                r.read()
            r.close()
        assert _stats()["sessions"] == before["sessions"] + 1
    after = _stats()
    assert (after["sessions"], after["streams"]) == (before["sessions"], before["streams"])


def test_metadata_is_json_with_the_documented_fields(server: TestServer) -> None:
    with httpcloak.Session() as s, s.get(f"{server.http}/bytes/10", stream=True) as r:
        assert r.status_code == 200 and r.content_length == 10 and r.protocol == "h1"
        json.dumps({"url": r.url, "headers": r.headers.multi_items()})


def test_session_calls_refuse_unknown_operations_and_arguments() -> None:
    with httpcloak.Session() as s:
        assert _abi.session_call(s._live_handle(), "cookies.list") == []
        with pytest.raises(
            httpcloak.InvalidArgument, match=r"unknown session operation .*cookies\.list"
        ):
            _abi.session_call(s._live_handle(), "no.such.op")
        with pytest.raises(httpcloak.InvalidArgument, match="unknown field"):
            _abi.session_call(s._live_handle(), "cookies.list", surprise=1)
    with pytest.raises(httpcloak.StreamClosed):
        _abi.session_call(s._live_handle(), "cookies.list")
    err: Any = _ffi.ffi.new("hc_error *")
    out = _ffi.ffi.new("char **")
    call = b'{"op":"cookies.list"}'
    assert _ffi.lib.hc_session_call(2**40, call, len(call), out, err) == -1
    assert err.kind == _ffi.lib.HC_ERR_CLOSED


PACKAGE = Path(httpcloak.__file__).resolve().parent


def test_only_the_facade_calls_the_library() -> None:
    # _ffi loads the library, _abi is the one facade over it: nobody else touches cffi.
    reaching = re.compile(r"\blib\.hc_|\bffi\.|\b_ffi\b|^from cffi|^import cffi", re.M)
    offenders = [
        path.name
        for path in sorted(PACKAGE.glob("*.py"))
        if path.name not in ("_ffi.py", "_abi.py") and reaching.search(path.read_text())
    ]
    assert offenders == []


def _keys(typed: Any) -> set[str]:
    return set(typed.__required_keys__ | typed.__optional_keys__)


def test_the_abi_json_has_the_typed_fields(server: TestServer) -> None:
    from httpcloak._abi_types import RedirectHop, RequestSpec, ResponseMeta

    with httpcloak.Session() as s:
        spec = s._prepare(
            "GET",
            f"{server.http}/redirect/1",
            params=None,
            data=None,
            json=None,
            files=None,
            auth=None,
            headers={"x-drop": None},
            cookies=None,
            timeout="default",
            allow_redirects=None,
            max_redirects=None,
        ).spec
        assert set(spec) <= _keys(RequestSpec)
        native = _abi.NativeStream(s._live_handle(), spec, b"")
        try:
            meta = native.wait_meta()
        finally:
            native.close()
    assert set(meta) == _keys(ResponseMeta)
    assert meta["history"] is not None and len(meta["history"]) == 1
    assert set(meta["history"][0]) == _keys(RedirectHop)


def test_a_read_is_one_native_call_with_little_on_top(server: TestServer) -> None:
    # raw.readinto is the hot path: count the Python frames of ours one call runs.
    ours: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and Path(frame.f_code.co_filename).parent == PACKAGE:
            ours.append(frame.f_code.co_name)

    with httpcloak.Session() as s, s.get(f"{server.http}/bytes/100000", stream=True) as r:
        raw, buffer = r.raw, bytearray(1000)
        assert raw.readinto(buffer) > 0
        sys.setprofile(profile)
        try:
            n = raw.readinto(buffer)
        finally:
            sys.setprofile(None)
    assert n > 0
    # RawStream.readinto, the response's bookkeeping (three) and NativeStream.readinto.
    assert len(ours) <= 5, ours


def _read_until_pending(native: _abi.NativeStream, wait_ms: int) -> None:
    buffer = bytearray(65536)
    target = _abi.buffer_target(buffer)
    err = _abi.error_slot()
    while (n := _ffi.lib.hc_stream_read(native.handle, target, len(buffer), wait_ms, err)) > 0:
        pass
    assert n == _abi.READ_PENDING, _abi.error_message(err)


@pytest.mark.parametrize("wait_ms", [_abi._WAIT_ARM, 0])
def test_a_read_with_wait_arm_arms_the_stream_in_the_same_call(
    server: TestServer, wait_ms: int
) -> None:
    # The next event comes 0.4 s after the first: with HC_WAIT_ARM the notifier hears of it
    # without an hc_stream_arm call; with a plain wait 0 nobody asked to be told.
    notifier = _abi.Notifier()
    with httpcloak.Session() as s:
        spec = s._prepare(
            "GET", f"{server.http}/sse?count=2&interval=0.4", params=None, data=None,
            json=None, files=None, auth=None, headers=None, cookies=None, timeout="default",
            allow_redirects=None, max_redirects=None,
        ).spec  # fmt: skip
        native = _abi.NativeStream(s._live_handle(), spec, b"")
        try:
            native.watch(notifier.handle)
            native.wait_meta()
            _read_until_pending(native, wait_ms)
            # Past the next event (0.4 s), and short of the test taking long when none comes.
            readable, _, _ = select.select([notifier.fd], [], [], 1.2)
            if wait_ms == _abi._WAIT_ARM:
                assert readable, "the next event came and the armed stream was not reported"
                assert notifier.drain() == [native.handle]
            else:
                assert not readable, "a plain read armed the stream"
        finally:
            native.close()
            notifier.close()
