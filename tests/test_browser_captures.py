"""What real browsers send, read from the captures in tests/fixtures/browsers.

tools/capture_browsers.py records every TLS connection a browser made to the test server
(docs/fingerprints.md, "Capturing real browsers"). These tests state, per browser family,
the behaviour a preset has to reproduce: what is fixed, what varies per connection, how the
HTTP/2 requests are framed and HPACK-encoded. They read fixtures only; a re-capture of a new
browser version runs them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from httpcloak._fingerprint_compare import is_grease

FIXTURES = Path(__file__).parent / "fixtures" / "browsers"
PRE_SHARED_KEY, SESSION_TICKET, TRUST_ANCHORS = 41, 35, 0xCA34
Record = dict[str, Any]


def without_grease(values: list[int]) -> list[int]:
    return [v for v in values if not is_grease(v)]


@dataclass
class Capture:
    """One fixture directory: a browser version's connections."""

    name: str
    manifest: Record
    connections: list[Record]

    def hellos(self, resumed: bool | None = None) -> list[Record]:
        out = [c["client_hello"] for c in self.connections if c["client_hello"]]
        if resumed is not None:
            out = [h for h in out if (h["pre_shared_key"] is not None) == resumed]
        return out

    def h2(self) -> list[Record]:
        """The HTTP/2 records of connections that carried at least one request."""
        return [c["http2"] for c in self.connections if c["http2"] and request_frames(c["http2"])]


def request_frames(h2: Record) -> list[Record]:
    return [f for f in h2["frames"] if f["type"] == "HEADERS" and f.get("headers")]


def header(frame: Record, name: str) -> str | None:
    return next((value for key, value in frame["headers"] if key == name), None)


def load(directory: Path) -> Capture:
    manifest = json.loads((directory / "manifest.json").read_text())
    connections = []
    for launch in manifest["launches"]:
        for name in launch["connections"]:
            path = directory / f"launch-{launch['launch']}" / name
            connections.append(json.loads(path.read_text()))
    return Capture(directory.name, manifest, connections)


def is_tcp_capture(directory: Path) -> bool:
    """The -h3 directories hold QUIC captures: tests/test_browser_captures_h3.py reads them."""
    return directory.is_dir() and not directory.name.endswith("-h3")


def captures(prefix: str) -> list[Capture]:
    return [load(d) for d in sorted(FIXTURES.glob(prefix + "-*")) if is_tcp_capture(d)]


ALL = [load(d) for d in sorted(FIXTURES.iterdir()) if is_tcp_capture(d)]
CHROMIUM = captures("chromium")
CHROMIUM_WINDOWED = [c for c in CHROMIUM if not c.manifest["headless"]]
FIREFOX = captures("firefox-esr")


def ids(items: list[Capture]) -> list[str]:
    return [c.name for c in items]


def test_there_are_captures_of_both_browsers() -> None:
    assert CHROMIUM_WINDOWED and FIREFOX, ids(ALL)


@pytest.mark.parametrize("capture", ALL, ids=ids(ALL))
def test_manifest_says_what_was_captured_and_how(capture: Capture) -> None:
    m = capture.manifest
    for key in ("date", "version_string", "debian_package", "os", "command", "launches"):
        assert m[key], key
    assert capture.name == f"{m['browser']}-{m['version']}" + ("-headless" if m["headless"] else "")
    assert m["version"] in m["version_string"] and m["version"].split(".")[0] in m["debian_package"]
    assert all(launch["completed"] for launch in m["launches"]), "a launch hit the timeout"
    # Nothing specific to the capturing machine: placeholders instead of paths and ports.
    assert "PROFILE" in " ".join(m["command"]) and "PORT" in m["url"]
    assert not any("/tmp" in arg for arg in m["command"])


@pytest.mark.parametrize("capture", ALL, ids=ids(ALL))
def test_every_page_came_over_tls13_and_http2_with_resumption(capture: Capture) -> None:
    handshakes = [c["tls"] for c in capture.connections if c["tls"]]
    assert {(t["version"], t["negotiated_alpn"]) for t in handshakes} == {("TLS 1.3", "h2")}
    launches = len(capture.manifest["launches"])
    # Every launch's second page needed a new connection, resumed with a PSK.
    assert sum(t["resumed"] for t in handshakes) >= launches
    assert len(capture.hellos(resumed=True)) >= launches
    for hello in capture.hellos(resumed=True):
        assert hello["extensions"][-1]["id"] == PRE_SHARED_KEY  # RFC 8446: always last


# --- Chromium -------------------------------------------------------------------------------


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_extension_set_is_fixed_but_its_order_changes_per_connection(
    capture: Capture,
) -> None:
    fresh = capture.hellos(resumed=False)
    assert len(fresh) >= 2
    sets = {frozenset(without_grease([e["id"] for e in h["extensions"]])) for h in fresh}
    assert len(sets) == 1, sets
    (extension_set,) = sets
    assert TRUST_ANCHORS in extension_set  # 0xca34 (chrome-latest sends it since Chrome 156)
    orders = {tuple(without_grease([e["id"] for e in h["extensions"]])) for h in fresh}
    assert len(orders) > 1, "Chromium permutes its extensions on every connection"
    for hello in capture.hellos(resumed=True):
        assert set(without_grease([e["id"] for e in hello["extensions"]])) == extension_set | {
            PRE_SHARED_KEY
        }
    assert len({h["ja4"] for h in fresh}) == 1  # JA4 sorts extensions, so it stays put


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_greases_every_list(capture: Capture) -> None:
    for hello in capture.hellos():
        extensions = [e["id"] for e in hello["extensions"]]
        if hello["pre_shared_key"]:
            extensions = extensions[:-1]
        # A GREASE extension first (empty) and last (one byte), before any pre_shared_key.
        assert is_grease(extensions[0]) and hello["extensions"][0]["length"] == 0
        assert is_grease(extensions[-1]) and hello["extensions"][len(extensions) - 1]["length"] == 1
        assert is_grease(hello["cipher_suites"][0])
        assert is_grease(hello["supported_groups"][0])
        assert is_grease(hello["supported_versions"][0])
        assert is_grease(hello["signature_algorithms"][0])
        assert is_grease(hello["key_shares"][0]["group"]) and hello["key_shares"][0]["length"] == 1
        assert sum(map(is_grease, hello["signature_algorithms"])) == 1


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_lists_are_identical_on_every_connection(capture: Capture) -> None:
    def fixed_fields(hello: Record) -> tuple[Any, ...]:
        ech = hello["ech"]
        return (
            tuple(without_grease(hello["cipher_suites"])),
            tuple(without_grease(hello["supported_groups"])),
            tuple(k["group"] for k in hello["key_shares"][1:]),
            tuple(without_grease(hello["signature_algorithms"])),
            tuple(hello["alpn"]),
            (hello["alps"]["codepoint"], tuple(hello["alps"]["protocols"])),
            tuple(hello["cert_compression"]),
            (ech["type"], ech["kdf"], ech["aead"], ech["enc_length"]),
            hello["record_size_limit"],
            hello["session_id_length"],
        )

    assert len({fixed_fields(h) for h in capture.hellos()}) == 1
    # ECH GREASE: the payload length changes between connections, in 32-byte steps.
    lengths = {h["ech"]["payload_length"] for h in capture.hellos()}
    assert all((n - min(lengths)) % 32 == 0 for n in lengths)


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_http2_framing(capture: Capture) -> None:
    assert len({h2["akamai"] for h2 in capture.h2()}) == 1
    for h2 in capture.h2():
        frames = h2["frames"]
        assert [f["type"] for f in frames[:2]] == ["SETTINGS", "WINDOW_UPDATE"]
        requests = request_frames(h2)
        assert [f["stream_id"] for f in requests] == list(range(1, 2 * len(requests), 2))
        for frame in requests:
            assert "PRIORITY" in frame["flag_names"] and frame["priority"]["exclusive"]
            if header(frame, "sec-fetch-mode") == "navigate":
                assert frame["priority"] == {"exclusive": True, "depends_on": 0, "weight": 255}
        pseudo = [name for name, _ in requests[0]["headers"] if name.startswith(":")]
        assert pseudo == [":method", ":authority", ":scheme", ":path"]


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_hpack_reuses_the_table_from_the_second_request(capture: Capture) -> None:
    for h2 in capture.h2():
        requests = request_frames(h2)
        authority = [next(r for r in f["hpack"] if r.get("name") == ":authority") for f in requests]
        assert authority[0]["kind"] == "literal_incremental" and authority[0]["index"] == 1
        assert all(r["kind"] == "indexed" and r["table"] == "dynamic" for r in authority[1:])
        for frame in requests:
            path = next(r for r in frame["hpack"] if r.get("name") == ":path")
            assert path["kind"] == "literal_without_indexing" and path["index"] == 4
            # Cookie crumbs: one field per cookie, indexed once the table has it.
            crumbs = [r for r in frame["hpack"] if r.get("name") == "cookie"]
            assert all("; " not in r["value"] for r in crumbs)
            assert {r["kind"] for r in crumbs} <= {"literal_incremental", "indexed"}
        # The same page's later requests are a fraction of the first one.
        assert all(f["length"] < requests[0]["length"] / 2 for f in requests[1:])


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_user_agent_says_headless_only_when_headless(capture: Capture) -> None:
    major = capture.manifest["version"].split(".")[0]
    for h2 in capture.h2():
        agent = header(request_frames(h2)[0], "user-agent")
        assert agent is not None and f"Chrome/{major}.0.0.0 " in agent
        assert ("HeadlessChrome/" in agent) == capture.manifest["headless"]
        assert f'"Chromium";v="{major}"' in (header(request_frames(h2)[0], "sec-ch-ua") or "")


# --- Firefox --------------------------------------------------------------------------------


@pytest.mark.parametrize("capture", FIREFOX, ids=ids(FIREFOX))
def test_firefox_extension_order_is_fixed_and_has_no_grease(capture: Capture) -> None:
    fresh = [[e["id"] for e in h["extensions"]] for h in capture.hellos(resumed=False)]
    assert len(fresh) >= 3 and all(order == fresh[0] for order in fresh)
    for hello in capture.hellos():
        for values in (
            [e["id"] for e in hello["extensions"]],
            hello["cipher_suites"],
            hello["supported_groups"],
            hello["signature_algorithms"],
        ):
            assert not any(map(is_grease, values))
    # Resuming, Firefox leaves out session_ticket and adds pre_shared_key at the end.
    expected = [i for i in fresh[0] if i != SESSION_TICKET] + [PRE_SHARED_KEY]
    for hello in capture.hellos(resumed=True):
        assert [e["id"] for e in hello["extensions"]] == expected
    assert len({h["ja4"] for h in capture.hellos(resumed=False)}) == 1


@pytest.mark.parametrize("capture", FIREFOX, ids=ids(FIREFOX))
def test_firefox_http2_framing(capture: Capture) -> None:
    assert len({h2["akamai"] for h2 in capture.h2()}) == 1
    for h2 in capture.h2():
        requests = request_frames(h2)
        # The first request goes on stream 3, not 1.
        assert [f["stream_id"] for f in requests] == list(range(3, 2 * len(requests) + 3, 2))
        for frame in requests:
            priority = frame["priority"]
            assert not priority["exclusive"] and priority["depends_on"] == 0
            if header(frame, "sec-fetch-mode") == "navigate":
                assert priority["weight"] == 41
        # Each request's HEADERS is followed by a WINDOW_UPDATE on its stream.
        frames = h2["frames"]
        for i, frame in enumerate(frames):
            if frame in requests:
                following = [f for f in frames[i + 1 :] if f["stream_id"] == frame["stream_id"]]
                assert following and following[0]["type"] == "WINDOW_UPDATE"
        pseudo = [name for name, _ in requests[0]["headers"] if name.startswith(":")]
        assert pseudo == [":method", ":path", ":authority", ":scheme"]


@pytest.mark.parametrize("capture", FIREFOX, ids=ids(FIREFOX))
def test_firefox_hpack(capture: Capture) -> None:
    for h2 in capture.h2():
        requests = request_frames(h2)
        # One table size update (to 4096), opening the first block encoded after Firefox
        # acknowledged the server's SETTINGS: the first or second request's, by timing.
        updates = [(f, r) for f in requests for r in f["hpack"] if r["kind"] == "table_size_update"]
        assert len(updates) == 1 and updates[0][1]["max_size"] == 4096
        frame, update = updates[0]
        assert frame["hpack"][0] is update
        ack = next(f for f in h2["frames"] if f["type"] == "SETTINGS" and "ACK" in f["flag_names"])
        after_ack = h2["frames"][h2["frames"].index(ack) :]
        assert frame is next(f for f in after_ack if f in requests)
        for frame in requests:
            path = next(r for r in frame["hpack"] if r.get("name") == ":path")
            assert path["kind"] == "literal_without_indexing" and path["index"] == 5
            # Cookie crumbs, never indexed.
            crumbs = [r for r in frame["hpack"] if r.get("name") == "cookie"]
            assert all(r["kind"] == "literal_never_indexed" for r in crumbs)
