"""Upstream's preset files: load_preset / load_preset_from_json take its
{"version": 1, "preset": {...}} schema (what this engine can apply is applied, the rest is
named in an UpstreamPresetWarning), describe_preset returns that schema for any preset and
loads back, available_presets() maps names to their protocols, and PresetPool loads
upstream's pool files (from a path or JSON), registering presets that close() unregisters."""

from __future__ import annotations

import json
import uuid
import warnings
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
AKAMAI = "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Probe/142.0"


@pytest.fixture
def name() -> Iterator[str]:
    chosen = f"up-{uuid.uuid4().hex[:10]}"
    yield chosen
    for registered in [n for n in httpcloak.preset_names() if n.startswith(chosen)]:
        httpcloak.unregister_preset(registered)


def _seen(preset: str, server: TestServer, path: str = "/fingerprint") -> Any:
    url = server.https.replace("127.0.0.1", "localhost") + path
    with httpcloak.Session(preset, verify=server.ca) as s:
        return s.get(url).json()


def _upstream_file(name: str) -> dict[str, Any]:
    """A preset in upstream's schema, as its examples/presets/ files are written."""
    return {
        "version": 1,
        "preset": {
            "name": name,
            "based_on": "chrome-latest-windows",
            "tls": {
                "ja3": JA3,
                "ja3_extras": {
                    "alpn": ["h2", "http/1.1"],
                    "cert_compression": ["brotli"],
                    "signature_algorithms": [1027, 2052, 1025, 1283, 2053, 1281, 2054, 1537],
                },
            },
            "http2": {"akamai": AKAMAI},
            "headers": {
                "user_agent": UA,
                "values": {"Accept-Language": "de-DE,de;q=0.9", "X-Probe": "1"},
                "order": [
                    {"key": "user-agent", "value": ""},
                    {"key": "accept", "value": "*/*"},
                    {"key": "accept-language", "value": ""},
                    {"key": "x-probe", "value": ""},
                ],
            },
            "protocols": {"h3": False},
        },
    }


def test_an_upstream_preset_file_is_applied(name: str, server: TestServer, tmp_path: Path) -> None:
    path = tmp_path / "preset.json"
    path.write_text(json.dumps(_upstream_file(name)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # everything in it is applied: no warning
        assert httpcloak.load_preset(str(path)) == name
    seen = _seen(name, server)
    assert (seen["ja3"], seen["akamai"]) == (JA3, AKAMAI)
    echoed = _seen(name, server, "/headers")
    assert echoed["headers"]["User-Agent"] == [UA]
    assert echoed["headers"]["Accept-Language"] == ["de-DE,de;q=0.9"]
    order = [n for n in echoed["header_order"] if not n.startswith(":")]
    assert order[:4] == ["user-agent", "accept", "accept-language", "x-probe"]
    info = httpcloak.preset_info(name)
    assert info.custom and info.disable_http3 and info.based_on == "chrome-latest-windows"
    assert httpcloak.available_presets()[name] == {"protocols": ["h1", "h2"]}


def test_what_cannot_be_applied_is_named(name: str) -> None:
    doc = _upstream_file(name)
    doc["preset"]["tcp"] = {"platform": "Windows", "ttl": 64}
    doc["preset"]["http2"]["priority_table"] = {"image": {"urgency": 1}}
    doc["preset"]["http2"]["stream_weight"] = 42
    # An extra for an extension the JA3 does not list has nothing to act on (as upstream,
    # which drops it): named, not refused.
    doc["preset"]["tls"]["ja3_extras"]["record_size_limit"] = 16385
    with pytest.warns(httpcloak.UpstreamPresetWarning) as caught:
        httpcloak.load_preset_from_json(json.dumps(doc))
    message = str(caught[0].message)
    assert "http2.priority_table" in message and "http2.stream_weight" in message
    assert "preset.tcp" in message
    assert "tls.record_size_limit (the JA3 has no extension 28)" in message
    assert httpcloak.preset_info(name).extra_fp == {
        "tls_alpn": ["h2", "http/1.1"],
        "tls_cert_compression": ["brotli"],
        "tls_signature_algorithms": [
            "ECDSAWithP256AndSHA256",
            "PSSWithSHA256",
            "PKCS1WithSHA256",
            "ECDSAWithP384AndSHA384",
            "PSSWithSHA384",
            "PKCS1WithSHA384",
            "PSSWithSHA512",
            "PKCS1WithSHA512",
        ],
    }


def test_settings_one_by_one_make_the_akamai_string(name: str, server: TestServer) -> None:
    doc = _upstream_file(name)
    doc["preset"]["http2"] = {
        "header_table_size": 65536,
        "enable_push": False,
        "initial_window_size": 131072,
        "max_frame_size": 16384,
        "settings_order": [1, 2, 4, 5],
        "connection_window_update": 12517377,
        "pseudo_order": [":method", ":path", ":authority", ":scheme"],
    }
    httpcloak.load_preset_from_json(json.dumps(doc))
    assert _seen(name, server)["akamai"] == "1:65536;2:0;4:131072;5:16384|12517377|0|m,p,a,s"


def test_describe_preset_is_upstreams_document_and_loads_back(
    name: str, server: TestServer
) -> None:
    text = httpcloak.describe_preset("chrome-latest-windows")
    doc = json.loads(text)
    assert doc["version"] == 1 and doc["preset"]["name"] == "chrome-latest-windows"
    headers = httpcloak.preset_info("chrome-latest-windows").headers
    assert doc["preset"]["http2"]["hpack_header_order"] == [n for n, _ in headers]
    assert doc["preset"]["headers"]["user_agent"] == dict(headers)["user-agent"]
    # Unchanged under another name: the same preset, loaded without a warning.
    doc["preset"]["name"] = name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        httpcloak.load_preset_from_json(json.dumps(doc))
    assert httpcloak.preset_info(name).headers == headers
    assert _seen(name, server)["ja4"] == _seen("chrome-latest-windows", server)["ja4"]
    # Upstream's recipe: the JA3 and Akamai of a capture over a described preset.
    doc["preset"]["name"] = name + "-peet"
    doc["preset"]["tls"] = {"ja3": JA3}
    doc["preset"]["http2"]["akamai"] = AKAMAI
    httpcloak.load_preset_from_json(json.dumps(doc))
    seen = _seen(name + "-peet", server)
    assert (seen["ja3"], seen["akamai"]) == (JA3, AKAMAI)
    # And the HPACK header order: moved names are applied, unknown ones named.
    order = doc["preset"]["http2"]["hpack_header_order"]
    order.remove("accept-language")
    order.insert(0, "accept-language")
    order.insert(1, "x-tracking-id")
    doc["preset"]["name"] = name + "-order"
    with pytest.warns(httpcloak.UpstreamPresetWarning, match="x-tracking-id"):
        httpcloak.load_preset_from_json(json.dumps(doc))
    assert httpcloak.preset_info(name + "-order").headers[0][0] == "accept-language"


def test_available_presets_has_upstreams_shape() -> None:
    listed = httpcloak.available_presets()
    assert listed["chrome-latest"] == {"protocols": ["h1", "h2", "h3"]}
    assert set(listed) == set(httpcloak.preset_names())


def _pool_file(prefix: str) -> dict[str, Any]:
    entry = {"headers": {"values": {"Accept-Language": "en-GB"}}, "tcp": {"platform": "Linux"}}
    return {
        "version": 1,
        "pool": {
            "name": "rotation",
            "strategy": "round-robin",
            "presets": [
                {"name": f"{prefix}-a", "based_on": "chrome-latest-windows", **entry},
                {"name": f"{prefix}-b", "based_on": "firefox-latest", **entry},
            ],
        },
    }


def test_preset_pool_from_a_file_and_from_json(name: str, tmp_path: Path) -> None:
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(_pool_file(name)))
    with pytest.warns(httpcloak.UpstreamPresetWarning, match="preset.tcp"):
        pool = httpcloak.PresetPool(str(path))
    with pool:
        assert pool.name == "rotation" and len(pool) == 2
        assert [pool.next(), pool.next(), pool.next()] == [f"{name}-a", f"{name}-b", f"{name}-a"]
        assert pool[1] == f"{name}-b" and pool.pick() == f"{name}-b"
        assert httpcloak.preset_info(f"{name}-b").based_on == "firefox-latest"
    assert f"{name}-a" not in httpcloak.available_presets()  # close() unregistered them
    doc = _pool_file(name)
    doc["pool"]["strategy"] = "random"
    with pytest.warns(httpcloak.UpstreamPresetWarning):
        pool = httpcloak.PresetPool.from_json(json.dumps(doc))
    assert pool.strategy == "random" and pool.random() in (f"{name}-a", f"{name}-b")
    pool.close()
    pool.close()  # idempotent


def test_bad_upstream_documents_are_refused(name: str, tmp_path: Path) -> None:
    doc = _upstream_file(name)
    doc["version"] = 2
    with pytest.raises(httpcloak.InvalidArgument, match="version"):
        httpcloak.load_preset_from_json(json.dumps(doc))
    doc = _upstream_file(name)
    doc["preset"]["tls"]["ja3_extras"]["signature_algorithms"] = [9999]
    with pytest.raises(httpcloak.InvalidArgument, match="9999"):
        httpcloak.load_preset_from_json(json.dumps(doc))
    doc = _upstream_file(name)
    doc["preset"]["http2"] = {"header_table_size": 65536}
    with pytest.raises(httpcloak.InvalidArgument, match="connection_window_update"):
        httpcloak.load_preset_from_json(json.dumps(doc))
    with pytest.raises(httpcloak.InvalidArgument, match="PresetPool"):
        httpcloak.load_preset_from_json(json.dumps(_pool_file(name)))
    with pytest.raises(httpcloak.InvalidArgument, match="no such pool file"):
        httpcloak.PresetPool(str(tmp_path / "missing.json"))
    assert name not in httpcloak.available_presets()
