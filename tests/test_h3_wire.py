"""HTTP/3 above QUIC as the preset's browser writes it (issue #14), compared with the real
browsers' QUIC captures in tests/fixtures/browsers/*-h3: the header order (the same on every
request), the control stream (SETTINGS, GREASE, PRIORITY_UPDATE), the other unidirectional
streams and the QPACK representation of every field. Our client is measured by the test
server's /fingerprint/full over HTTP/3 (loopback only). The QPACK dynamic table the SETTINGS
announce is exercised against hypercorn, whose encoder uses it (last test).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypercorn_server import serve_hypercorn
from test_browser_captures_h3 import is_grease_h3

import httpcloak

from servers import TestServer

FIXTURES = Path(__file__).parent / "fixtures" / "browsers"
Record = dict[str, Any]
REQUESTS = 5

BROWSERS = {"chrome-latest": "chromium", "firefox-latest": "firefox-esr"}


def fresh_captures(browser: str) -> list[Record]:
    """The browser's fresh QUIC connections that carried the control stream and requests."""
    records = []
    for path in sorted(FIXTURES.glob(f"{browser}-*-h3/launch-*/quic-*.json")):
        record = json.loads(path.read_text())
        if record["tls"] and not record["tls"]["resumed"] and record["http3"]["control_stream"]:
            records.append(record)
    assert records, browser
    return records


def page_loads(browser: str) -> list[Record]:
    """The page loads (a connection's first request) among the fresh connections."""
    loads = [
        c["http3"]["requests"][0]
        for c in fresh_captures(browser)
        if c["http3"]["requests"]
        and dict(c["http3"]["requests"][0]["headers"])[":path"].startswith("/capture/page")
    ]
    assert loads, browser
    return loads


def names(request: Record) -> list[str]:
    return [name for name, _ in request["headers"]]


def headers_frame(request: Record) -> Record:
    frames: list[Record] = [f for f in request["frames"] if f["type"] == "HEADERS"]
    assert len(frames) == 1
    return frames[0]


def settings(record: Record) -> list[tuple[int, int]]:
    frame = record["http3"]["control_stream"]["frames"][0]
    assert frame["type"] == "SETTINGS"
    return [(s["id"], s["value"]) for s in frame["settings"]]


@pytest.fixture(scope="module", params=list(BROWSERS))
def ours(request: pytest.FixtureRequest, server: TestServer) -> tuple[str, list[Record]]:
    """Our client's REQUESTS page loads with the preset: the test server's record of the
    asking QUIC connection at each (its last request is the one asking)."""
    preset: str = request.param
    records = []
    with httpcloak.Session(preset, verify=server.ca, http_version="h3") as s:
        for _ in range(REQUESTS):
            r = s.get(f"{server.h3}/fingerprint/full")
            assert r.protocol == "h3"
            records.append(r.json())
    return BROWSERS[preset], records


def test_header_order_is_the_browsers_and_the_same_on_every_request(
    ours: tuple[str, list[Record]],
) -> None:
    browser, records = ours
    orders = [names(r["http3"]["requests"][-1]) for r in records]
    assert all(order == orders[0] for order in orders), orders  # never Go's map order
    for page in page_loads(browser):
        assert orders[0] == names(page)


def test_control_stream_and_unidirectional_streams_as_captured(
    ours: tuple[str, list[Record]],
) -> None:
    browser, records = ours
    record = records[-1]
    h3 = record["http3"]
    frames = h3["control_stream"]["frames"]
    for capture in fresh_captures(browser):
        theirs = capture["http3"]
        assert [s["type_name"] for s in h3["uni_stream_order"]] == [
            s["type_name"] for s in theirs["uni_stream_order"]
        ]
        # The browser's SETTINGS in its order, with a GREASE setting last where the browser
        # sends one (a new one per connection).
        expected = settings(capture)
        got = settings(record)
        assert len(got) == len(expected)
        for (got_id, got_value), (want_id, want_value) in zip(got, expected, strict=True):
            if is_grease_h3(want_id):
                assert is_grease_h3(got_id) and got_id != want_id
            else:
                assert (got_id, got_value) == (want_id, want_value)
        # Then a GREASE frame of the browser's size.
        assert frames[1]["grease"] and theirs["control_stream"]["frames"][1]["grease"]
    grease_lengths = {
        c["http3"]["control_stream"]["frames"][1]["length"] for c in fresh_captures(browser)
    }
    assert min(grease_lengths) - 1 <= frames[1]["length"] <= max(grease_lengths) + 1
    updates = [(f["prioritized_element_id"], f["priority_field_value"]) for f in frames[2:]]
    assert all(f["type"] == "PRIORITY_UPDATE" for f in frames[2:])
    if browser == "chromium":
        # One PRIORITY_UPDATE per request, equal to its priority header.
        assert updates == [(r["stream_id"], dict(r["headers"])["priority"]) for r in h3["requests"]]
    else:
        assert updates == []


def test_qpack_representations_as_captured(ours: tuple[str, list[Record]]) -> None:
    browser, records = ours
    lines = headers_frame(records[-1]["http3"]["requests"][-1])["qpack"]
    for page in page_loads(browser):
        frame = headers_frame(page)
        assert frame["required_insert_count"] == 0 and frame["base"] == 0
        theirs = {line["name"]: line for line in frame["qpack"]}
        for line in lines:
            want = theirs[line["name"]]
            assert (line["kind"], line.get("index"), line.get("name_huffman")) == (
                want["kind"],
                want.get("index"),
                want.get("name_huffman"),
            ), line["name"]
            assert not line.get("never_indexed")
            if line["value"] == want["value"]:
                assert line.get("value_huffman") == want.get("value_huffman"), line["name"]


def test_every_value_huffman_coded_by_the_browsers_rule(ours: tuple[str, list[Record]]) -> None:
    """Chromium: Huffman only when shorter ("?0" raw); Firefox: always, even when longer."""
    browser, records = ours
    by_name = {
        line["name"]: line for line in headers_frame(records[0]["http3"]["requests"][0])["qpack"]
    }
    if browser == "chromium":
        assert by_name["sec-ch-ua-mobile"]["value_huffman"] is False
        assert by_name["sec-fetch-user"]["value_huffman"] is False
        assert by_name["user-agent"]["value_huffman"] is True
    else:
        assert by_name["sec-fetch-user"]["value_huffman"] is True  # "?1", longer coded


def varint_size(value: int) -> int:
    """Bytes of a QUIC variable-length integer (RFC 9000, section 16)."""
    for size, limit in ((1, 1 << 6), (2, 1 << 14), (4, 1 << 30)):
        if value < limit:
            return size
    return 8


def stream_length(request: Record) -> int:
    return sum(
        varint_size(f["type_id"]) + varint_size(f["length"]) + f["length"]
        for f in request["frames"]
    )


def test_a_request_without_a_body_ends_in_its_headers_frame(server: TestServer) -> None:
    """The FIN rides in a STREAM frame with the HEADERS frame's bytes (its last part), as
    Chromium and Firefox send a GET, never in an empty frame of its own: also for requests
    written at once on one connection. (A FIN that came after the response crashed hypercorn's
    server; quic-go sent one whenever its sender ran between the write and the close.)"""
    with httpcloak.Session("chrome-latest", verify=server.ca, http_version="h3") as s:
        assert s.get(f"{server.h3}/bytes/1").protocol == "h3"  # the connection, first
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: s.get(f"{server.h3}/bytes/{n}"), range(2, 18)))
        # Short answers: the record holds every request (it stops at the server's key update).
        requests = s.get(f"{server.h3}/fingerprint/full").json()["http3"]["requests"]
    assert len(requests) == 18
    for request in requests:
        fin_frame = request["fin_frame"]
        assert request["fin"] and fin_frame and fin_frame["length"] > 0, request
        assert fin_frame["offset"] + fin_frame["length"] == stream_length(request), request


def test_cookie_crumbs_and_caller_headers_keep_their_order(server: TestServer) -> None:
    """Headers the caller adds are sent in the order given, the cookie split into crumbs."""
    extra = {"x-one": "1", "cookie": "a=1; b=2", "x-two": "2"}
    with httpcloak.Session("chrome-latest", verify=server.ca, http_version="h3") as s:
        first = s.get(f"{server.h3}/fingerprint/full", headers=extra)
        second = s.get(f"{server.h3}/fingerprint/full", headers=extra)
    assert first.protocol == second.protocol == "h3"
    one, two = (names(r.json()["http3"]["requests"][-1]) for r in (first, second))
    assert one == two
    cookies = [v for k, v in second.json()["http3"]["requests"][-1]["headers"] if k == "cookie"]
    assert cookies == ["a=1", "b=2"]
    assert one.index("x-one") < one.index("x-two")


async def many_headers(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with headers worth keeping in a QPACK dynamic table, and one that changes."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    n = scope["query_string"].decode()
    headers = [(f"x-long-{i}".encode(), b"v" * (40 + i)) for i in range(8)]
    headers += [(b"x-n", n.encode()), (b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": n.encode()})


@pytest.mark.parametrize("preset", list(BROWSERS))
def test_responses_using_the_servers_qpack_dynamic_table(server: TestServer, preset: str) -> None:
    """The SETTINGS announce a QPACK dynamic table as the browsers' do; hypercorn's encoder
    (aioquic) then inserts the repeated fields and refers to them, also while requests run
    at once (blocked streams). Every response decodes to exactly what was sent."""
    with (
        serve_hypercorn(many_headers, server.server_pem, quic=True) as served,
        httpcloak.Session(preset, verify=server.ca, http_version="h3") as s,
    ):
        url = f"https://127.0.0.1:{served.udp_port}/"

        def fetch(n: int) -> None:
            r = s.get(f"{url}?{n}")
            assert r.protocol == "h3" and r.text == str(n)
            assert r.headers["x-n"] == str(n)
            for i in range(8):
                assert r.headers[f"x-long-{i}"] == "v" * (40 + i)

        fetch(0)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(fetch, range(1, 41)))
