"""HTTP/2 framing and HPACK like the captured browsers, over several requests on one
connection (issue #13, "HPACK like Chrome"; docs/fingerprints.md).

Each test sends, on one session, the header fields of a captured connection's requests in
the browser's order and with its values (only :path and :authority's port differ), then
reads what the test server recorded of that connection at /fingerprint/full and compares it
representation by representation with what the browser sent: which fields are indexed,
literal or never-indexed, which table entry a literal names, Huffman or raw, the table size
update, the stream ids, the per-stream WINDOW_UPDATE and the HEADERS priority.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak

from servers import TestServer
from test_browser_captures import CHROMIUM_WINDOWED, FIREFOX, Capture, Record, request_frames

# Their values differ between the capture and this run (the path asked for, the port).
RUN_SPECIFIC = {":path", ":authority"}


def connections(captures: list[Capture]) -> list[tuple[str, Record]]:
    """(id, HTTP/2 record) of every captured connection that carried requests."""
    out = []
    for capture in captures:
        for n, h2 in enumerate(capture.h2()):
            out.append((f"{capture.name}-{n}", h2))
    return out


CHROMIUM_CONNECTIONS = connections(CHROMIUM_WINDOWED)
FIREFOX_CONNECTIONS = connections(FIREFOX)


@pytest.fixture
def base(server: TestServer) -> str:
    # By name, as the browsers reached it: :authority is then as long as theirs.
    return server.https.replace("127.0.0.1", "localhost")


def replay(preset: str, base: str, ca: str, captured: list[Record]) -> list[Record]:
    """Send the captured requests' header fields on one connection; return our frames."""
    preset_names = {name for name, _ in httpcloak.preset_info(preset).headers}
    with httpcloak.Session(preset, verify=ca) as s:
        for i, frame in enumerate(captured):
            fields = [(n, v) for n, v in frame["headers"] if not n.startswith(":")]
            headers: dict[str, str | None] = {}
            for name, value in fields:
                if name == "cookie":  # crumbs: the client splits them again
                    headers[name] = f"{headers[name]}; {value}" if name in headers else value
                else:
                    headers[name] = value
            headers.update({name: None for name in preset_names - headers.keys()})
            s.set_header_order(list(dict.fromkeys(name for name, _ in fields)))
            last = i == len(captured) - 1
            answer = s.get(f"{base}/fingerprint/full" if last else f"{base}/get", headers=headers)
            assert answer.status_code == 200
    frames: list[Record] = answer.json()["http2"]["frames"]
    return frames


def representations(frame: Record) -> list[tuple[Any, ...]]:
    """What the encoder chose for each field, without values that differ per run."""
    out = []
    for r in frame["hpack"]:
        if r["kind"] == "table_size_update":
            continue
        shape: tuple[Any, ...] = (r["name"], r["kind"], r.get("table"), r.get("index"))
        shape += (r.get("name_huffman"),)
        if r["name"] not in RUN_SPECIFIC:
            shape += (r["value"], r.get("value_huffman"))
        out.append(shape)
    return out


def assert_same_hpack(ours: list[Record], theirs: list[Record]) -> None:
    assert len(ours) == len(theirs)
    for n, (mine, browser) in enumerate(zip(ours, theirs, strict=True)):
        assert representations(mine) == representations(browser), f"request {n + 1}"


def urgency(frame: Record) -> int:
    value = next((v for k, v in frame["headers"] if k == "priority"), "")
    return next((int(m.strip()[2]) for m in value.split(",") if m.strip()[:2] == "u="), 3)


def following(frames: list[Record], frame: Record) -> Iterator[Record]:
    """The frames after frame on its stream."""
    at = next(i for i, f in enumerate(frames) if f is frame)
    return (f for f in frames[at + 1 :] if f["stream_id"] == frame["stream_id"])


@pytest.mark.parametrize(
    ("name", "captured"), CHROMIUM_CONNECTIONS, ids=[n for n, _ in CHROMIUM_CONNECTIONS]
)
def test_chrome_latest_frames_and_encodes_requests_as_chromium(
    server: TestServer, base: str, name: str, captured: Record
) -> None:
    theirs = request_frames(captured)
    frames = replay("chrome-latest", base, server.ca, theirs)
    ours = request_frames({"frames": frames})
    assert_same_hpack(ours, theirs)
    # :authority and cookie crumbs indexed, :path a literal naming static entry 4: so from the
    # second request on, a block is a fraction of the first one.
    assert all(f["length"] < ours[0]["length"] / 2 for f in ours[1:] if "cookie" not in f)
    assert [f["stream_id"] for f in ours] == [f["stream_id"] for f in theirs]
    assert not any(
        f["type"] == "HEADERS" and "table_size_update" in str(f["hpack"]) for f in frames
    )
    for mine, browser in zip(ours, theirs, strict=True):
        assert mine["priority"]["weight"] == browser["priority"]["weight"]
        assert mine["priority"]["exclusive"] is True
        # Sequential here, so the parent is whichever earlier stream of the same or a more
        # urgent priority was still open (usually none); the chain itself: test below.
        parent = mine["priority"]["depends_on"]
        assert parent == 0 or any(
            f["stream_id"] == parent and urgency(f) <= urgency(mine) for f in ours
        )
        assert next(following(frames, mine), {}).get("type") != "WINDOW_UPDATE"


def test_chrome_latest_headers_depend_on_the_newest_open_stream_as_urgent_or_more(
    server: TestServer, base: str
) -> None:
    """Chromium's priority chain (captured: the script on the stylesheet, the images on the
    script), with streams held open by /stall so that which ones are open is certain."""

    def priority(value: str | None) -> dict[str, str | None]:
        return {"priority": value}

    stall = f"{base}/stall?after=1&seconds=60"
    full = f"{base}/fingerprint/full"
    with httpcloak.Session("chrome-latest", verify=server.ca) as s:
        held_u1 = s.get(stall, headers=priority("u=1"), stream=True)  # stream 1: on 0
        held_u2 = s.get(stall, headers=priority("u=2, i"), stream=True)  # 3: on 1, more urgent
        s.get(f"{base}/get", headers=priority(None))  # 5: u=3 when absent, on 3
        s.get(f"{base}/get", headers=priority("u=0, i"))  # 7: on 0, nothing as urgent open
        s.get(f"{base}/get", headers=priority("u=2"))  # 9: on 3, the same urgency
        frames = s.get(full, headers=priority("u=1")).json()["http2"]["frames"]  # 11: on 1
        ours = {f["stream_id"]: f["priority"] for f in request_frames({"frames": frames})}
        assert ours == {
            1: {"exclusive": True, "depends_on": 0, "weight": 219},
            3: {"exclusive": True, "depends_on": 1, "weight": 182},
            5: {"exclusive": True, "depends_on": 3, "weight": 146},
            7: {"exclusive": True, "depends_on": 0, "weight": 255},
            9: {"exclusive": True, "depends_on": 3, "weight": 182},
            11: {"exclusive": True, "depends_on": 1, "weight": 219},
        }
        # Once the held streams are closed (the reset is sent in the background), a request
        # depends on 0 again.
        held_u1.close()
        held_u2.close()
        for attempt in range(15):  # the record keeps 24 requests; backing off to ~5 s
            frames = s.get(full, headers=priority("u=1")).json()["http2"]["frames"]
            last = request_frames({"frames": frames})[-1]["priority"]
            if last["depends_on"] == 0:
                break
            time.sleep(0.1 * attempt)
        assert last == {"exclusive": True, "depends_on": 0, "weight": 219}


@pytest.mark.parametrize(
    ("name", "captured"), FIREFOX_CONNECTIONS, ids=[n for n, _ in FIREFOX_CONNECTIONS]
)
def test_firefox_latest_frames_and_encodes_requests_as_firefox(
    server: TestServer, base: str, name: str, captured: Record
) -> None:
    theirs = request_frames(captured)
    frames = replay("firefox-latest", base, server.ca, theirs)
    ours = request_frames({"frames": frames})
    assert_same_hpack(ours, theirs)
    # The first request on stream 3.
    assert [f["stream_id"] for f in ours] == [f["stream_id"] for f in theirs]
    assert ours[0]["stream_id"] == 3
    for mine, browser in zip(ours, theirs, strict=True):
        assert mine["priority"] == browser["priority"]  # never exclusive, on 0, by kind
    # A WINDOW_UPDATE of 12451840 on the stream right after its HEADERS (the last request's
    # may reach the server after it answered with the record).
    for mine in ours[:-1]:
        update = next(following(frames, mine))
        assert (update["type"], update["window_increment"]) == ("WINDOW_UPDATE", 12451840)
    # One table size update (4096), opening the first block after our SETTINGS ACK.
    updates = [(f, r) for f in ours for r in f["hpack"] if r["kind"] == "table_size_update"]
    assert len(updates) == 1 and updates[0][1]["max_size"] == 4096
    frame, update = updates[0]
    assert frame["hpack"][0] is update
    ack = next(f for f in frames if f["type"] == "SETTINGS" and "ACK" in f["flag_names"])
    assert frame is next(f for f in frames[frames.index(ack) :] if f in ours)


@pytest.mark.parametrize(
    ("preset", "huffman"), [("chrome-latest", False), ("firefox-latest", True)]
)
def test_a_string_longer_in_huffman_is_sent_raw_by_chrome_and_huffman_coded_by_firefox(
    server: TestServer, base: str, preset: str, huffman: bool
) -> None:
    """Measured by hand with both browsers on this test server (headless, not a fixture):
    /get?q=~~~~~~~~^^^^{}{} (23 bytes raw, 33 in Huffman code) went raw from Chromium 156,
    Huffman-coded from Firefox ESR 153. Tildes have the same property ('~' is 13 bits) and
    are not percent-encoded on the way."""
    path = "/fingerprint/full?q=" + "~" * 16
    with httpcloak.Session(preset, verify=server.ca) as s:
        frames = s.get(base + path).json()["http2"]["frames"]
    first = request_frames({"frames": frames})[0]["hpack"]
    (field,) = [r for r in first if r.get("name") == ":path"]
    assert (field["value"], field["value_huffman"]) == (path, huffman)
    string_length = len(field["hex"]) // 2 - 2  # after the name index and the length
    assert (string_length > len(path)) is huffman


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("chrome-latest", [("literal_without_indexing", "static", 2)] * 2),
        ("firefox-latest", [("literal_incremental", "static", 3), ("indexed", "dynamic", None)]),
    ],
)
def test_a_method_outside_the_static_table_is_encoded_as_by_the_browser(
    server: TestServer, base: str, preset: str, expected: list[tuple[str, str, int | None]]
) -> None:
    """Measured by hand with both browsers on this test server (their CORS preflights, not
    a fixture): Chromium 156 sent :method OPTIONS as a literal without indexing naming static
    entry 2, every time; Firefox ESR 153 as a literal with incremental indexing naming entry
    3, then indexed from the dynamic table."""
    with httpcloak.Session(preset, verify=server.ca) as s:
        for _ in range(2):
            assert s.request("OPTIONS", f"{base}/get").status_code == 200
        frames = s.get(f"{base}/fingerprint/full").json()["http2"]["frames"]
    methods = [
        next(r for r in f["hpack"] if r.get("name") == ":method")
        for f in request_frames({"frames": frames})[:2]
    ]
    assert [r["value"] for r in methods] == ["OPTIONS"] * 2
    static = [r["index"] if r["table"] == "static" else None for r in methods]
    assert [(r["kind"], r["table"], i) for r, i in zip(methods, static, strict=True)] == expected
