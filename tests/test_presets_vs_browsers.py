"""chrome-latest and firefox-latest against the browsers captured here (issue #13): what our
client sends to the test server's /fingerprint/full, compared field by field with
tests/fixtures/browsers (Chromium 156 windowed, Firefox ESR 153): JA4, cipher suites, the
extension set and whether its order changes per connection, groups, key shares, signature
algorithms with their GREASE, versions, ALPN, ALPS, certificate compression, record size
limit, delegated credentials, the ECH GREASE shape and sizes, a resumed hello, the Akamai
HTTP/2 string, and a navigation's pseudo-header and header order and values. HTTP/2
framing and HPACK beyond the preface are tests/test_browser_captures.py's and the H2 wire
work's. GREASE values are random per connection, so they compare as "GREASE"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import httpcloak
from httpcloak._fingerprint_compare import is_grease

from servers import TestServer
from test_browser_captures import Capture, captures

Record = dict[str, Any]
CONNECTIONS = 4  # fresh sessions per preset: enough to see a per-connection order change

CHROMIUM = next(c for c in captures("chromium") if not c.manifest["headless"])
(FIREFOX,) = captures("firefox-esr")
PAIRS = {"chrome-latest": CHROMIUM, "firefox-latest": FIREFOX}


def grease_as_word(values: list[int] | None) -> list[int | str] | None:
    return None if values is None else ["GREASE" if is_grease(v) else v for v in values]


def ids(hello: Record) -> list[int | str]:
    return grease_as_word([e["id"] for e in hello["extensions"]]) or []


@dataclass
class Ours:
    fresh: list[Record]  # one hello per session, each a first handshake
    resumed: Record  # a new connection of a session that holds a ticket
    navigation: list[list[str]]  # the HEADERS of a plain GET, as the server decoded it
    akamai: str


def _record(session: httpcloak.Session, url: str) -> Record:
    record: Record = session.get(url).json()
    assert record["tls"]["negotiated_alpn"] == "h2"
    return record


@pytest.fixture(scope="module")
def ours(server: TestServer) -> Iterator[dict[str, Ours]]:
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint/full"
    out = {}
    for preset in PAIRS:
        fresh = []
        for _ in range(CONNECTIONS):
            with httpcloak.Session(preset, verify=server.ca) as s:
                fresh.append(_record(s, url))
        with httpcloak.Session(preset, verify=server.ca) as s:
            first = _record(s, url)
            s.refresh()  # a new connection, the ticket kept
            resumed = _record(s, url)
        assert resumed["tls"]["resumed"], "the session did not resume"
        (headers,) = [f["headers"] for f in first["http2"]["frames"] if f.get("headers")]
        out[preset] = Ours(
            [r["client_hello"] for r in fresh],
            resumed["client_hello"],
            headers,
            first["http2"]["akamai"],
        )
    yield out


def _navigation(capture: Capture) -> list[list[str]]:
    """The browser's first page: a top-level navigation typed in (sec-fetch-site none)."""
    for h2 in capture.h2():
        for frame in h2["frames"]:
            headers = frame.get("headers") or []
            if ["sec-fetch-site", "none"] in headers:
                return list(headers)
    raise AssertionError("no navigation in " + capture.name)


@pytest.mark.parametrize("preset", PAIRS)
def test_ja4_is_the_browsers_fresh_and_resumed(preset: str, ours: dict[str, Ours]) -> None:
    capture, mine = PAIRS[preset], ours[preset]
    assert {h["ja4"] for h in mine.fresh} == {h["ja4"] for h in capture.hellos(resumed=False)}
    assert {mine.resumed["ja4"]} == {h["ja4"] for h in capture.hellos(resumed=True)}


HELLO_FIELDS = (
    "legacy_version", "session_id_length", "cipher_suites", "compression_methods",
    "supported_groups", "ec_point_formats", "signature_algorithms", "signature_algorithms_cert",
    "supported_versions", "psk_key_exchange_modes", "alpn", "alps", "cert_compression",
    "record_size_limit", "delegated_credentials", "early_data", "padding_length",
)  # fmt: skip


GREASED = ("cipher_suites", "supported_groups", "signature_algorithms", "supported_versions")


def _fields(hello: Record) -> dict[str, Any]:
    out = {}
    for name in HELLO_FIELDS:
        value = hello[name]
        if name in GREASED:
            value = grease_as_word(value)
        out[name] = value
    shares = [(k["group"], k["length"]) for k in hello["key_shares"]]
    out["key_shares"] = [("GREASE" if is_grease(g) else g, n) for g, n in shares]
    ech = hello["ech"]
    out["ech"] = ech and {k: ech[k] for k in ("type", "kdf", "enc_length")}
    return out


@pytest.mark.parametrize("preset", PAIRS)
def test_every_hello_field_is_the_browsers(preset: str, ours: dict[str, Ours]) -> None:
    """Ciphers, groups, key shares, signature algorithms (GREASE included), versions, ALPN,
    ALPS, certificate compression, record size limit, delegated credentials: fresh and resumed."""
    capture, mine = PAIRS[preset], ours[preset]
    for resumed, hellos in ((False, mine.fresh), (True, [mine.resumed])):
        (theirs,) = {repr(_fields(h)) for h in capture.hellos(resumed=resumed)}
        for hello in hellos:
            assert repr(_fields(hello)) == theirs


def _grease_places(hellos: list[Record]) -> set[tuple[int, int]]:
    """(position, length) of every GREASE extension."""
    return {
        (i, e["length"])
        for h in hellos
        for i, e in enumerate(h["extensions"])
        if is_grease(e["id"])
    }


@pytest.mark.parametrize("preset", PAIRS)
def test_extension_set_and_order(preset: str, ours: dict[str, Ours]) -> None:
    capture, mine = PAIRS[preset], ours[preset]
    for resumed, hellos in ((False, mine.fresh), (True, [mine.resumed])):
        theirs = capture.hellos(resumed=resumed)
        assert {frozenset(ids(h)) for h in hellos} == {frozenset(ids(h)) for h in theirs}
        # GREASE extensions (Chrome: first, empty; last before pre_shared_key, one byte).
        assert _grease_places(hellos) == _grease_places(theirs)
    their_orders = {tuple(ids(h)) for h in capture.hellos(resumed=False)}
    our_orders = {tuple(ids(h)) for h in mine.fresh}
    if len(their_orders) > 1:
        assert len(our_orders) > 1, "the browser permutes its extensions per connection"
    else:
        assert our_orders == their_orders
        assert {tuple(ids(mine.resumed))} == {tuple(ids(h)) for h in capture.hellos(resumed=True)}


@pytest.mark.parametrize("preset", PAIRS)
def test_ech_grease_shape_and_sizes(preset: str, ours: dict[str, Ours]) -> None:
    """Chromium draws the payload size from four at random; Firefox sizes it as its inner
    hello would be, so a resumed hello's is longer."""
    capture, mine = PAIRS[preset], ours[preset]
    aeads = {h["ech"]["aead"] for h in capture.hellos()}
    for resumed, hellos in ((False, mine.fresh), (True, [mine.resumed])):
        sizes_from = capture.hellos(resumed=resumed if preset == "firefox-latest" else None)
        sizes = {h["ech"]["payload_length"] for h in sizes_from}
        for ech in (h["ech"] for h in hellos):
            assert (ech["type"], ech["kdf"], ech["enc_length"]) == ("outer", 1, 32)
            assert ech["aead"] in aeads
            assert ech["payload_length"] in sizes


def test_firefox_draws_either_ech_aead(ours: dict[str, Ours]) -> None:
    assert {h["ech"]["aead"] for h in FIREFOX.hellos()} == {1, 3}  # AES-128-GCM, ChaCha20


@pytest.mark.parametrize("preset", PAIRS)
def test_http2_preface_is_the_browsers(preset: str, ours: dict[str, Ours]) -> None:
    assert {ours[preset].akamai} == {h2["akamai"] for h2 in PAIRS[preset].h2()}


@pytest.mark.parametrize("preset", PAIRS)
def test_navigation_headers_are_the_browsers(preset: str, ours: dict[str, Ours]) -> None:
    """Pseudo-headers and headers in the browser's order with its values; the page's
    :authority and :path differ, and Google Chrome names itself in sec-ch-ua where
    Chromium does not (its brand list, placed by the same rule: tests/test_preset_names.py)."""
    theirs = _navigation(PAIRS[preset])
    mine = ours[preset].navigation
    assert [name for name, _ in mine] == [name for name, _ in theirs]
    expected = {name: value for name, value in theirs if name not in (":authority", ":path")}
    if "sec-ch-ua" in expected:
        expected["sec-ch-ua"] += ', "Google Chrome";v="156"'
    assert {name: value for name, value in mine if name not in (":authority", ":path")} == expected


def _first_of_kind(capture: Capture, dest: str) -> list[list[str]]:
    for h2 in capture.h2():
        for frame in h2["frames"]:
            headers = frame.get("headers") or []
            if ["sec-fetch-dest", dest] in headers:
                return list(headers)
    raise AssertionError(f"no {dest} request in {capture.name}")


KINDS = [("no-cors", "style"), ("no-cors", "script"), ("no-cors", "image"), ("cors", "empty")]


@pytest.mark.parametrize(("mode", "dest"), KINDS)
@pytest.mark.parametrize("preset", PAIRS)
def test_request_kind_headers_are_the_browsers(
    preset: str, mode: str, dest: str, server: TestServer
) -> None:
    """fetch_mode / fetch_dest: a stylesheet, script, image or fetch() as the browser sends
    it from its own page, less what depends on the page (:authority, :path, referer and the
    page's cookies)."""
    page_only = (":authority", ":path", "referer", "cookie")
    theirs = [h for h in _first_of_kind(PAIRS[preset], dest) if h[0] not in page_only]
    assert ["sec-fetch-mode", mode] in theirs
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint/full"
    with httpcloak.Session(preset, verify=server.ca) as s:
        record = s.get(url, fetch_mode=mode, fetch_dest=dest).json()
    (mine,) = [f["headers"] for f in record["http2"]["frames"] if f.get("headers")]
    mine = [h for h in mine if h[0] not in page_only]
    for header in theirs:
        if header[0] == "sec-ch-ua":
            header[1] += ', "Google Chrome";v="156"'
    assert mine == theirs


def test_request_kinds_are_checked_before_sending(server: TestServer) -> None:
    with httpcloak.Session() as s:
        with pytest.raises(httpcloak.InvalidArgument, match="fetch_mode must be"):
            s.get(server.http + "/get", fetch_mode="websocket")
        with pytest.raises(httpcloak.InvalidArgument, match='fetch_dest "image" does not go'):
            s.get(server.http + "/get", fetch_mode="cors", fetch_dest="image")
        with pytest.raises(TypeError, match="fetch_mode must be a str"):
            s.get(server.http + "/get", fetch_mode=1)  # type: ignore[call-overload]
        # The default is a navigation, as fetch_mode="navigate".
        plain = s.get(server.http + "/headers").json()["headers"]
        navigate = s.get(server.http + "/headers", fetch_mode="navigate").json()["headers"]
        assert plain == navigate and plain["Sec-Fetch-Mode"] == ["navigate"]
