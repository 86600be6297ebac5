"""Presets: the built-in names, and JSON presets registered from a file or a string, validated
strictly, listed and described, used by sessions (the test server sees their fingerprint
and headers), replaced and unregistered without disturbing sessions already open."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import httpcloak

from servers import TestServer

JA3 = (
    "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
    "0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513-21,29-23-24,0"
)
AKAMAI = "1:4096;3:100;4:2097152|10485760|3:0:0:201,5:0:0:101|m,s,p,a"
OTHER_AKAMAI = "1:65536;4:131072;5:16384|12517377|0|m,p,a,s"


@pytest.fixture
def url(server: TestServer) -> str:
    return server.https.replace("127.0.0.1", "localhost") + "/fingerprint"


@pytest.fixture
def name() -> Iterator[str]:
    """A fresh preset name, unregistered after the test whatever happened."""
    chosen = f"test-{uuid.uuid4().hex[:10]}"
    yield chosen
    for registered in [n for n in httpcloak.available_presets() if n.startswith(chosen)]:
        httpcloak.unregister_preset(registered)


def _register(**doc: Any) -> str:
    return httpcloak.load_preset_from_json(json.dumps(doc))


def _seen(preset: str, server: TestServer, url: str) -> Any:
    with httpcloak.Session(preset, verify=server.ca) as s:
        return s.get(url).json()


def test_a_registered_preset_is_listed_described_and_used(
    name: str, server: TestServer, url: str
) -> None:
    headers = [["user-agent", "Probe/1.0"], ["accept", "*/*"], ["x-probe", "1"]]
    assert _register(name=name, based_on="firefox-135", akamai=AKAMAI, headers=headers) == name
    assert name in httpcloak.available_presets()
    info = httpcloak.preset_info(name)
    assert (info.custom, info.based_on, info.akamai, info.ja3) == (
        True,
        "firefox-135",
        AKAMAI,
        None,
    )
    assert info.engine_profile == "firefox_135" and info.headers == [tuple(h) for h in headers]
    assert httpcloak.preset_info("firefox-135").custom is False

    seen = _seen(name, server, url)
    assert seen["akamai"] == AKAMAI
    assert seen["header_order"] == [":method", ":scheme", ":path", ":authority"] + [
        h[0] for h in headers
    ]
    assert seen["headers"]["User-Agent"] == ["Probe/1.0"]
    firefox = _seen("firefox-135", server, url)
    assert seen["ja4"] == firefox["ja4"]  # TLS comes from based_on


def test_load_preset_from_a_file(name: str, tmp_path: Path, server: TestServer, url: str) -> None:
    path = tmp_path / "preset.json"
    path.write_text(json.dumps({"name": name, "ja3": JA3}))
    assert httpcloak.load_preset(path) == name
    assert httpcloak.load_preset(str(path)) == name  # loading again replaces it
    seen = _seen(name, server, url)
    assert seen["ja3"] == JA3
    assert seen["headers"]["User-Agent"][0].endswith("Safari/537.36")  # chrome-latest's


def test_a_preset_based_on_a_custom_preset_inherits_its_fingerprint(
    name: str, server: TestServer, url: str
) -> None:
    _register(name=name, ja3=JA3, extra_fp={"tls_permute_extensions": False})
    child = _register(name=f"{name}-child", based_on=name, akamai=AKAMAI)
    info = httpcloak.preset_info(child)
    assert (info.ja3, info.akamai, info.extra_fp) == (
        JA3,
        AKAMAI,
        {"tls_permute_extensions": False},
    )
    seen = _seen(child, server, url)
    assert (seen["ja3"], seen["akamai"]) == (JA3, AKAMAI)


def test_session_options_override_the_preset_fingerprint(
    name: str, server: TestServer, url: str
) -> None:
    _register(name=name, ja3=JA3, akamai=AKAMAI)
    with httpcloak.Session(name, verify=server.ca, akamai=OTHER_AKAMAI) as s:
        seen = s.get(url).json()
    assert (seen["ja3"], seen["akamai"]) == (JA3, OTHER_AKAMAI)


def test_replace_and_unregister_leave_open_sessions_alone(
    name: str, server: TestServer, url: str
) -> None:
    _register(name=name, akamai=AKAMAI)
    with httpcloak.Session(name, verify=server.ca) as old:
        _register(name=name, akamai=OTHER_AKAMAI)
        assert _seen(name, server, url)["akamai"] == OTHER_AKAMAI
        httpcloak.unregister_preset(name)
        assert name not in httpcloak.available_presets()
        with pytest.raises(httpcloak.InvalidArgument, match=f'unknown preset "{name}"'):
            httpcloak.Session(name)
        with pytest.raises(httpcloak.InvalidArgument, match="unknown preset"):
            httpcloak.preset_info(name)
        assert old.get(url).json()["akamai"] == AKAMAI  # still the preset it was made with
    with pytest.raises(httpcloak.InvalidArgument, match="no custom preset"):
        httpcloak.unregister_preset(name)


def test_built_in_presets_are_never_replaced_nor_unregistered() -> None:
    for builtin in ("chrome-133", "chrome-latest", "safari"):
        with pytest.raises(httpcloak.InvalidArgument, match="built in"):
            _register(name=builtin, akamai=AKAMAI)
        with pytest.raises(httpcloak.InvalidArgument, match="built in"):
            httpcloak.unregister_preset(builtin)


def test_disable_http3_refuses_h3_sessions(name: str) -> None:
    _register(name=name, disable_http3=True)
    assert httpcloak.preset_info(name).disable_http3 is True
    with pytest.raises(httpcloak.InvalidArgument, match="disables HTTP/3"):
        httpcloak.Session(name, http_version="h3")
    httpcloak.Session(name, http_version="h2").close()


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ("[]", "cannot unmarshal array"),
        ("{", "invalid JSON"),
        ('{"name": "x", "colour": "red"}', 'unknown field "colour"'),
        ('{"based_on": "chrome-133"}', "preset name must be"),
        ('{"name": "Upper"}', "preset name must be"),
        ('{"name": "x", "based_on": "netscape-4"}', 'based_on: unknown preset "netscape-4"'),
        ('{"name": "x", "ja3": "771,4865"}', "5 comma-separated fields"),
        ('{"name": "x", "akamai": "1:1|0|0|m,a,s,p"}', "WINDOW_UPDATE"),
        ('{"name": "x", "extra_fp": {"tls_grease": true}}', 'unknown key "tls_grease"'),
        ('{"name": "x", "headers": [["x-a\\r\\n", "1"]]}', "headers: invalid header name"),
        ('{"name": "x", "headers": [["x-a", "1", "2"]]}', "must be a \\[name, value\\] pair"),
    ],
)
def test_malformed_presets_are_refused_with_the_reason(doc: str, reason: str) -> None:
    with pytest.raises(httpcloak.InvalidArgument, match=reason):
        httpcloak.load_preset_from_json(doc)
    assert "x" not in httpcloak.available_presets()


def test_wrong_types_and_missing_files() -> None:
    with pytest.raises(TypeError):
        httpcloak.load_preset_from_json({"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        httpcloak.unregister_preset(None)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        httpcloak.load_preset("/nonexistent/preset.json")


def test_process_calls_refuse_unknown_operations_and_arguments() -> None:
    from httpcloak import _abi

    with pytest.raises(httpcloak.InvalidArgument, match="unknown operation"):
        _abi.process_call("preset.rename")
    with pytest.raises(httpcloak.InvalidArgument, match='unknown field "nam"'):
        _abi.process_call("preset.unregister", nam="x")


def test_unknown_preset_raises() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="unknown preset"):
        httpcloak.Session(preset="netscape-4")


def test_preset_constants_name_every_built_in_preset() -> None:
    built_in = {
        name
        for name in httpcloak.available_presets()
        if name not in ("chrome", "firefox", "safari")  # short aliases, as in the other bindings
    }
    assert set(httpcloak.Preset.all()) == built_in
    with httpcloak.Session(preset=httpcloak.Preset.FIREFOX_LATEST) as s:
        assert s.preset == "firefox-latest"
