"""What real browsers send over HTTP/3, read from the QUIC captures in tests/fixtures/browsers.

tools/capture_browsers.py --browsers chromium-h3,firefox-esr-h3 records every QUIC connection a
browser made to the test server's HTTP/3 listener (docs/fingerprints.md, "Capturing real
browsers"): the Initial packets as received, the ClientHello inside them, the QUIC transport
parameters and the HTTP/3 streams with their QPACK representations. These tests state, per
browser family, what is fixed and what varies per connection. They read fixtures only.

The capture cannot decrypt 0-RTT packets (the server's TLS stack does not log early secrets),
so on resumed connections what a browser sent in 0-RTT (Chromium: the control stream; Firefox:
the control stream and the first request) is missing; the tests use fresh connections there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import httpcloak

from servers import TestServer

FIXTURES = Path(__file__).parent / "fixtures" / "browsers"
Record = dict[str, Any]
PRE_SHARED_KEY, EARLY_DATA, QUIC_TRANSPORT_PARAMETERS, ECH = 41, 42, 57, 65037
GREASE_QUIC_VERSION_MASK = 0x0F0F0F0F


@dataclass
class H3Capture:
    """One -h3 fixture directory: a browser version's QUIC connections."""

    name: str
    manifest: Record
    connections: list[Record]  # QUIC records with a complete ClientHello

    def fresh(self) -> list[Record]:
        return [c for c in self.connections if not c["tls"]["resumed"]]

    def resumed(self) -> list[Record]:
        return [c for c in self.connections if c["tls"]["resumed"]]

    def requests(self) -> list[Record]:
        return [r for c in self.connections for r in c["http3"]["requests"] if r["headers"]]


def load(directory: Path) -> H3Capture:
    manifest = json.loads((directory / "manifest.json").read_text())
    connections = []
    for launch in manifest["launches"]:
        for name in launch["connections"]:
            if name.startswith("quic-"):
                record = json.loads((directory / f"launch-{launch['launch']}" / name).read_text())
                if record["client_hello"] and record["tls"]:
                    connections.append(record)
    return H3Capture(directory.name, manifest, connections)


def captures(prefix: str) -> list[H3Capture]:
    return [load(d) for d in sorted(FIXTURES.glob(prefix + "-*-h3")) if d.is_dir()]


CHROMIUM = captures("chromium")
FIREFOX = captures("firefox-esr")
ALL = CHROMIUM + FIREFOX


def ids(items: list[H3Capture]) -> list[str]:
    return [c.name for c in items]


def initial_packets(record: Record) -> list[Record]:
    return [
        p
        for d in record["quic"]["long_header_datagrams"]
        for p in d["packets"]
        if p["type"] == "initial"
    ]


def first_flight(record: Record) -> list[Record]:
    """The CRYPTO frames that carried the ClientHello once, up to the one completing it: a
    client resends Initial data when the server is slow (a loaded machine), and the server
    records those frames too."""
    q = record["quic"]
    covered: set[int] = set()
    flight: list[Record] = []
    for piece in q["crypto_frames"]:
        if len(covered) == q["client_hello_length"]:
            break
        flight.append(piece)
        covered.update(range(piece["offset"], piece["offset"] + piece["length"]))
    return flight


def hello_datagrams(record: Record) -> list[Record]:
    """The first flight's datagrams: those that carried the ClientHello once."""
    carrying = list(dict.fromkeys(piece["datagram"] for piece in first_flight(record)))
    return [record["quic"]["long_header_datagrams"][i] for i in carrying]


def params(record: Record) -> dict[str, Record]:
    return {p["name"]: p for p in record["transport_parameters"] if not p.get("grease")}


def settings(record: Record) -> list[tuple[int, int]]:
    frame = record["http3"]["control_stream"]["frames"][0]
    assert frame["type"] == "SETTINGS"
    return [(s["id"], s["value"]) for s in frame["settings"]]


def is_grease_h3(value: int) -> bool:
    return value >= 0x21 and (value - 0x21) % 0x1F == 0


def test_there_are_quic_captures_of_both_browsers() -> None:
    assert CHROMIUM and FIREFOX, ids(ALL)


@pytest.mark.parametrize("capture", ALL, ids=ids(ALL))
def test_every_launch_ran_over_quic_with_resumption(capture: H3Capture) -> None:
    m = capture.manifest
    assert m["http3"] is True and capture.name == f"{m['browser']}-{m['version']}-h3"
    assert all(launch["completed"] for launch in m["launches"]), "a launch hit the timeout"
    assert "PORT" in m["url"] and not any("/tmp" in arg for arg in m["command"])
    for c in capture.connections:
        assert c["quic"]["errors"] == [], c["conn_id"]
        assert (c["tls"]["version"], c["tls"]["negotiated_alpn"]) == ("TLS 1.3", "h3")
        assert c["quic"]["version"] == 1
    # Every launch's second page needed a new QUIC connection, resumed with a PSK and 0-RTT.
    assert len(capture.resumed()) >= len(m["launches"])
    for c in capture.resumed():
        exts = [e["id"] for e in c["client_hello"]["extensions"]]
        assert exts[-1] == PRE_SHARED_KEY and EARLY_DATA in exts
        assert c["quic"]["zero_rtt_packets"] >= 1
    # The pages' requests were all recorded, on client bidirectional streams 0, 4, 8, ...
    paths = {dict(r["headers"])[":path"].split("?")[0] for r in capture.requests()}
    assert {"/capture/page", "/warmup/asset/style-1.css", "/warmup/asset/done.txt"} <= paths


@pytest.mark.parametrize("capture", ALL, ids=ids(ALL))
def test_the_clienthello_inside_quic_differs_from_tcp(capture: H3Capture) -> None:
    for c in capture.connections:
        hello = c["client_hello"]
        assert hello["ja4"].startswith("q13")
        assert hello["alpn"] == ["h3"] and hello["supported_versions"] == [772]
        assert hello["session_id_length"] == 0  # no middlebox compatibility mode in QUIC
        assert hello["cipher_suites"] in ([4865, 4866, 4867], [4865, 4867, 4866])
        exts = [e["id"] for e in hello["extensions"]]
        assert QUIC_TRANSPORT_PARAMETERS in exts and 35 not in exts  # no session_ticket
        assert hello["ech"]["type"] == "outer" and hello["ech"]["enc_length"] == 32
        assert c["quic"]["client_hello_length"] == len(hello["raw_hex"]) // 2


# --- Chromium -------------------------------------------------------------------------------


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_initial_packets(capture: H3Capture) -> None:
    for c in capture.connections:
        q = c["quic"]
        assert (q["dcid_length"], q["scid_length"]) == (8, 0)
        first = initial_packets(c)[0]
        assert first["packet_number"] == 1  # Chromium's first Initial is packet 1, not 0
        # Resumed connections echo the NEW_TOKEN of the previous connection (if it got one).
        assert first["token_length"] == 0 or c["tls"]["resumed"]
        # The ClientHello (about 1.9-2.2 KB with the ML-KEM share) needs two or three Initial
        # packets, each filling a 1230-byte datagram on its own: no coalescing, no trailing bytes.
        carrying = hello_datagrams(c)
        assert 2 <= len(carrying) <= 3
        for d in carrying:
            assert (d["size"], d["trailing_bytes"], len(d["packets"])) == (1230, 0, 1)
        # Chaos protection: the hello is cut into many small CRYPTO frames, sent out of
        # order and mixed with PING and PADDING frames.
        offsets = [piece["offset"] for piece in q["crypto_frames"]]
        assert len(offsets) >= 4 and offsets != sorted(offsets)
        types = {f["type"] for d in carrying for f in d["packets"][0]["frames"]}
        assert {"CRYPTO", "PING"} <= types <= {"CRYPTO", "PING", "PADDING"}
    layouts = {tuple(p["offset"] for p in c["quic"]["crypto_frames"]) for c in capture.connections}
    assert len(layouts) == len(capture.connections), "the cut changes on every connection"


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_quic_clienthello(capture: H3Capture) -> None:
    fresh_set = {0, 10, 13, 16, 27, 43, 45, 51, 57, 17613, 51764, 65037}
    orders = set()
    for c in capture.connections:
        hello = c["client_hello"]
        exts = [e["id"] for e in hello["extensions"]]
        expected = fresh_set | ({EARLY_DATA, PRE_SHARED_KEY} if c["tls"]["resumed"] else set())
        assert set(exts) == expected and len(exts) == len(expected)  # and no GREASE at all
        orders.add(tuple(exts))
        assert hello["cipher_suites"] == [4865, 4866, 4867]
        assert hello["supported_groups"] == [4588, 29, 23, 24]
        assert hello["key_shares"] == [{"group": 4588, "length": 1216}, {"group": 29, "length": 32}]
        assert hello["signature_algorithms"] == [
            1027,
            2052,
            1025,
            1283,
            2053,
            1281,
            2054,
            1537,
            513,
        ]
        assert hello["alps"] == {"codepoint": 17613, "protocols": ["h3"]}
        assert hello["cert_compression"] == [2] and hello["psk_key_exchange_modes"] == [1]
        assert hello["ec_point_formats"] == [] and hello["padding_length"] is None
        assert (hello["ech"]["kdf"], hello["ech"]["aead"]) == (1, 1)
        assert hello["ech"]["payload_length"] in (144, 176, 208, 240)
    assert len(orders) == len(capture.connections), "extension order is permuted per connection"


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_transport_parameters(capture: H3Capture) -> None:
    values = {
        "max_idle_timeout": 30000,
        "max_udp_payload_size": 1472,
        "initial_max_data": 15728640,
        "initial_max_stream_data_bidi_local": 6291456,
        "initial_max_stream_data_bidi_remote": 6291456,
        "initial_max_stream_data_uni": 6291456,
        "initial_max_streams_bidi": 100,
        "initial_max_streams_uni": 103,
        "max_datagram_frame_size": 65536,
    }
    orders = set()
    for c in capture.connections:
        p = params(c)
        # initial_rtt (Chrome's private 0x3127) appears once Chromium has measured the RTT.
        assert set(p) - {"initial_rtt"} == {
            *values,
            "initial_source_connection_id",
            "version_information",
            "google_connection_options",
        }
        assert {k: p[k]["value"] for k in values} == values
        assert p["initial_source_connection_id"]["length"] == 0  # the empty SCID
        assert p["google_connection_options"]["tags"] == ["ORIG"]
        info = p["version_information"]
        assert info["chosen_version"] == 1 and 1 in info["available_versions"]
        greased = [v for v in info["available_versions"] if v != 1]
        assert len(greased) == 1 and greased[0] & GREASE_QUIC_VERSION_MASK == 0x0A0A0A0A
        grease = [q for q in c["transport_parameters"] if q.get("grease")]
        assert len(grease) == 1 and 1 <= grease[0]["length"] <= 16
        orders.add(tuple(q["name"] for q in c["transport_parameters"]))
    # The order is shuffled on every connection; the GREASE id and its value too.
    assert len(orders) == len(capture.connections)
    grease_ids = {
        q["id"] for c in capture.connections for q in c["transport_parameters"] if q.get("grease")
    }
    assert len(grease_ids) == len(capture.connections)


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_control_stream(capture: H3Capture) -> None:
    fresh = [c for c in capture.fresh() if c["http3"]["control_stream"]]
    assert fresh
    for c in fresh:
        h3 = c["http3"]
        # One unidirectional stream only: no QPACK encoder/decoder streams against a server
        # that offers no dynamic table.
        assert [s["type_name"] for s in h3["uni_stream_order"]] == ["control"]
        assert h3["uni_stream_order"][0]["stream_id"] == 2
        s = settings(c)
        assert s[:4] == [(1, 65536), (6, 262144), (7, 100), (51, 1)]
        assert len(s) == 5 and is_grease_h3(s[4][0])  # a GREASE setting, last
        frames = h3["control_stream"]["frames"]
        assert frames[1]["grease"] and frames[1]["length"] <= 3  # then a small GREASE frame
        # Then one PRIORITY_UPDATE per request, equal to its priority header.
        updates = {f["prioritized_element_id"]: f["priority_field_value"] for f in frames[2:]}
        assert all(f["type"] == "PRIORITY_UPDATE" for f in frames[2:])
        for request in h3["requests"]:
            if request["stream_id"] in updates:
                assert dict(request["headers"]).get("priority") == updates[request["stream_id"]]


@pytest.mark.parametrize("capture", CHROMIUM, ids=ids(CHROMIUM))
def test_chromium_request_headers_and_qpack(capture: H3Capture) -> None:
    for request in capture.requests():
        headers = request["headers"]
        assert [k for k, _ in headers[:4]] == [":method", ":authority", ":scheme", ":path"]
        assert headers[-1][0] == "priority"
        (frame,) = [f for f in request["frames"] if f["type"] == "HEADERS"]
        assert frame["required_insert_count"] == 0  # static table only
        lines = frame["qpack"]
        assert [(line["kind"], line.get("index")) for line in lines[:4]] == [
            ("indexed", 17),
            ("literal_name_ref", 0),
            ("indexed", 23),
            ("literal_name_ref", 1),
        ]
        for line in lines:
            assert not line.get("never_indexed")
            if line["kind"] == "literal_name":
                assert line["name_huffman"] is True
        by_name = {line["name"]: line for line in lines}
        # Huffman only where it is shorter: "?0" stays raw.
        assert by_name["sec-ch-ua-mobile"]["value_huffman"] is False
        assert by_name["user-agent"]["value_huffman"] is True


# --- Firefox --------------------------------------------------------------------------------


@pytest.mark.parametrize("capture", FIREFOX, ids=ids(FIREFOX))
def test_firefox_initial_packets(capture: H3Capture) -> None:
    for c in capture.connections:
        q = c["quic"]
        # A random DCID length (8 to 20 bytes) and a 3-byte SCID.
        assert 8 <= q["dcid_length"] <= 20 and q["scid_length"] == 3
        # Datagrams of 1252 bytes; the Initial packet is only as long as its frames and the
        # datagram is filled with bytes after it (trailing), not with PADDING frames.
        for d in hello_datagrams(c):
            assert d["size"] == 1252
            assert "PADDING" not in {f["type"] for p in d["packets"] for f in p.get("frames", [])}
        assert any(d["trailing_bytes"] > 0 for d in q["long_header_datagrams"])
        # Few, large CRYPTO frames; on a fresh connection the first packet carries the hello's
        # tail before its head.
        assert len(q["crypto_frames"]) <= 6
    for c in capture.fresh():
        offsets = [piece["offset"] for piece in c["quic"]["crypto_frames"]]
        assert offsets[0] > 0 and 0 in offsets
    # The first packet number is not 0 and changes from connection to connection.
    firsts = [initial_packets(c)[0]["packet_number"] for c in capture.connections]
    assert 0 not in firsts and len(set(firsts)) > 1
    assert len({c["quic"]["dcid_length"] for c in capture.fresh()}) > 1


@pytest.mark.parametrize("capture", FIREFOX, ids=ids(FIREFOX))
def test_firefox_quic_clienthello(capture: H3Capture) -> None:
    fresh_set = {0, 5, 10, 13, 16, 23, 27, 28, 34, 43, 45, 51, 57, 65037, 65281}
    orders = set()
    for c in capture.connections:
        hello = c["client_hello"]
        exts = [e["id"] for e in hello["extensions"]]
        expected = fresh_set | ({EARLY_DATA, PRE_SHARED_KEY} if c["tls"]["resumed"] else set())
        assert set(exts) == expected and len(exts) == len(expected)
        # Unlike Firefox over TCP, the order is shuffled, except the last: 57, ECH (then PSK).
        tail = [QUIC_TRANSPORT_PARAMETERS, ECH] + ([PRE_SHARED_KEY] if c["tls"]["resumed"] else [])
        assert exts[-len(tail) :] == tail
        orders.add(tuple(exts))
        assert hello["cipher_suites"] == [4865, 4867, 4866]
        assert hello["supported_groups"] == [4588, 29, 23, 24, 25]
        assert [k["group"] for k in hello["key_shares"]] == [4588, 29, 23]
        assert hello["cert_compression"] == [1, 3, 2] and hello["alps"] is None
        assert hello["record_size_limit"] == 16385
        assert hello["ech"]["aead"] in (1, 3)
    assert len(orders) > 1


@pytest.mark.parametrize("capture", FIREFOX, ids=ids(FIREFOX))
def test_firefox_transport_parameters(capture: H3Capture) -> None:
    orders = {tuple(p["name"] for p in c["transport_parameters"]) for c in capture.connections}
    assert orders == {
        (
            "max_idle_timeout",
            "initial_max_data",
            "initial_max_stream_data_bidi_local",
            "initial_max_stream_data_bidi_remote",
            "initial_max_stream_data_uni",
            "initial_max_streams_bidi",
            "initial_max_streams_uni",
            "max_ack_delay",
            "active_connection_id_limit",
            "initial_source_connection_id",
            "version_information",
            "min_ack_delay_draft02",
            "max_datagram_frame_size",
        )
    }, "one fixed order, no GREASE parameter"
    for c in capture.connections:
        p = params(c)
        assert p["initial_source_connection_id"]["length"] == 3
        info = p["version_information"]
        assert info["chosen_version"] == 1 and info["available_versions"][1:] == [1]
        assert info["available_versions"][0] & GREASE_QUIC_VERSION_MASK == 0x0A0A0A0A
        assert {k: p[k]["value"] for k in ("max_ack_delay", "min_ack_delay_draft02")} == {
            "max_ack_delay": 20,
            "min_ack_delay_draft02": 1000,
        }


@pytest.mark.parametrize("capture", FIREFOX, ids=ids(FIREFOX))
def test_firefox_http3_streams(capture: H3Capture) -> None:
    fresh = [c for c in capture.fresh() if c["http3"]["control_stream"]]
    assert fresh
    for c in fresh:
        h3 = c["http3"]
        assert [(s["stream_id"], s["type_name"]) for s in h3["uni_stream_order"]] == [
            (2, "control"),
            (6, "qpack_encoder"),
            (10, "qpack_decoder"),
        ]
        assert settings(c) == [(1, 65536), (7, 20), (0x2B603742, 0), (0xFFD277, 1), (51, 1), (8, 1)]
        frames = h3["control_stream"]["frames"]
        assert frames[1]["grease"] and len(frames) == 2  # a GREASE frame; no PRIORITY_UPDATE
    for request in capture.requests():
        headers = request["headers"]
        assert [k for k, _ in headers[:4]] == [":method", ":scheme", ":authority", ":path"]
        assert headers[-1][0] == "priority"
        (frame,) = [f for f in request["frames"] if f["type"] == "HEADERS"]
        assert frame["required_insert_count"] == 0
        for line in frame["qpack"]:
            if line["kind"].startswith("literal"):
                assert line["value_huffman"] is True  # always Huffman, even "?1"


# --- The capture itself, on our own client ------------------------------------------------


def test_fingerprint_full_over_h3_records_the_asking_quic_connection(server: TestServer) -> None:
    """The QUIC record the fixtures are made of, measured live on our client (loopback only)."""
    with httpcloak.Session("chrome-latest", verify=server.ca, http_version="h3") as s:
        first = s.get(f"{server.h3}/fingerprint/full", headers={"x-probe": "1"})
        record = s.get(f"{server.h3}/fingerprint/full").json()
    assert first.protocol == "h3" and first.json()["conn_id"] == record["conn_id"]
    q = record["quic"]
    assert q["errors"] == [] and q["version"] == 1
    # The Initial packets decrypted; their CRYPTO frames rebuild the whole ClientHello.
    first_packet = q["long_header_datagrams"][0]["packets"][0]
    assert first_packet["type"] == "initial"
    assert "CRYPTO" in {f["type"] for f in first_packet["frames"]}
    assert sum(p["length"] for p in q["crypto_frames"]) >= q["client_hello_length"] > 0
    hello = record["client_hello"]
    assert hello["alpn"] == ["h3"] and hello["ja4"].startswith("q13")
    names = [p["name"] for p in record["transport_parameters"]]
    assert "initial_source_connection_id" in names and "initial_max_data" in names
    # The 1-RTT packets decrypted with the connection's key log: control stream and requests.
    h3 = record["http3"]
    assert h3["control_stream"]["frames"][0]["type"] == "SETTINGS"
    probe, this = h3["requests"][0], h3["requests"][1]
    assert (probe["stream_id"], this["stream_id"]) == (0, 4)
    assert ["x-probe", "1"] in probe["headers"]
    assert dict(this["headers"])[":path"] == "/fingerprint/full"
    (frame,) = [f for f in this["frames"] if f["type"] == "HEADERS"]
    assert [[line["name"], line["value"]] for line in frame["qpack"]] == this["headers"]
