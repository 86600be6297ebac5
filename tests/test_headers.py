from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import httpcloak
from httpcloak._headers import Headers

from servers import TestServer

COOKIE_A = "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/"
COOKIE_B = "b=2; Expires=Thu, 22 Oct 2015 07:28:00 GMT"


def test_construct_from_none_mapping_pairs_and_headers() -> None:
    assert Headers().multi_items() == []
    assert Headers(None).multi_items() == []
    assert Headers({"A": "1", "b": "2"}).multi_items() == [("A", "1"), ("b", "2")]
    pairs = [("A", "1"), ("a", "2")]
    assert Headers(pairs).multi_items() == pairs
    assert Headers([["A", "1"], ["a", "2"]]).multi_items() == pairs
    original = Headers(pairs)
    assert Headers(original).multi_items() == pairs


def test_from_pairs_accepts_json_lists() -> None:
    headers = Headers.from_pairs([["Content-Type", "text/html"], ["X-A", "1"]])
    assert headers.multi_items() == [("Content-Type", "text/html"), ("X-A", "1")]
    assert Headers.from_pairs([("x", "1")])["X"] == "1"


@pytest.mark.parametrize("bad", [[["only-name"]], [["a", "b", "c"]], ["ab"]])
def test_from_pairs_rejects_malformed_pairs(bad: Any) -> None:
    with pytest.raises(ValueError, match="pairs"):
        Headers.from_pairs(bad)


@pytest.mark.parametrize("bad", ["content-type: x", b"abc"])
def test_constructor_rejects_str_and_bytes(bad: Any) -> None:
    with pytest.raises(TypeError):
        Headers(bad)


def test_case_insensitive_access() -> None:
    headers = Headers({"Content-Type": "text/plain"})
    assert headers["content-type"] == "text/plain"
    assert headers["CONTENT-TYPE"] == "text/plain"
    assert headers.get("Content-type") == "text/plain"
    assert "content-TYPE" in headers
    assert "missing" not in headers
    not_a_name: object = 42
    assert not_a_name not in headers
    with pytest.raises(KeyError):
        headers["missing"]
    assert headers.get("missing") is None


def test_original_casing_is_preserved() -> None:
    headers = Headers([("X-Custom-ID", "1"), ("x-custom-id", "2")])
    assert list(headers) == ["X-Custom-ID"]
    assert list(headers.keys()) == ["X-Custom-ID"]
    assert headers.multi_items() == [("X-Custom-ID", "1"), ("x-custom-id", "2")]


def test_multiple_values() -> None:
    headers = Headers()
    headers.add("Accept", "text/html")
    headers.add("accept", "application/json")
    headers.add("X-Other", "y")
    assert headers["ACCEPT"] == "text/html, application/json"
    assert headers.get_all("Accept") == ["text/html", "application/json"]
    assert headers.get_all("nope") == []
    assert len(headers) == 2
    assert list(headers.items()) == [
        ("Accept", "text/html, application/json"),
        ("X-Other", "y"),
    ]


def test_get_all_never_splits_values() -> None:
    headers = Headers([("Vary", "Accept, Cookie")])
    assert headers.get_all("vary") == ["Accept, Cookie"]


def test_set_cookie_values_stay_separate() -> None:
    headers = Headers.from_pairs([["Set-Cookie", COOKIE_A], ["set-cookie", COOKIE_B]])
    assert headers.get_all("set-cookie") == [COOKIE_A, COOKIE_B]
    # Never comma-joined: the Expires dates contain commas themselves.
    assert headers["Set-Cookie"] == f"{COOKIE_A}\n{COOKIE_B}"
    assert headers["set-cookie"].split("\n") == [COOKIE_A, COOKIE_B]
    single = Headers({"Set-Cookie": COOKIE_A})
    assert single["set-cookie"] == COOKIE_A


def test_setitem_replaces_all_values_in_place() -> None:
    headers = Headers([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
    headers["a"] = "new"
    assert headers.multi_items() == [("A", "new"), ("B", "2"), ("C", "4")]
    headers["D"] = "5"
    assert headers.multi_items()[-1] == ("D", "5")


def test_delitem_removes_all_values() -> None:
    headers = Headers([("A", "1"), ("B", "2"), ("a", "3")])
    del headers["A"]
    assert headers.multi_items() == [("B", "2")]
    with pytest.raises(KeyError):
        del headers["A"]


def test_mutable_mapping_helpers() -> None:
    headers = Headers({"A": "1"})
    assert headers.setdefault("a", "x") == "1"
    assert headers.pop("A") == "1"
    assert headers.pop("A", None) is None
    assert len(headers) == 0


def test_update_keeps_every_value_from_headers() -> None:
    target = Headers([("Set-Cookie", "old"), ("X", "1")])
    source = Headers([("set-cookie", COOKIE_A), ("set-cookie", COOKIE_B)])
    target.update(source)
    assert target.get_all("set-cookie") == [COOKIE_A, COOKIE_B]
    assert target["x"] == "1"
    target.update({"x": "2"}, Y="3")
    assert target.multi_items()[-2:] == [("X", "2"), ("Y", "3")]
    target.update([("z", "4")])
    assert target["Z"] == "4"


def test_update_validates() -> None:
    headers = Headers()
    with pytest.raises(ValueError):
        headers.update({"X": "a\r\nInjected: yes"})
    assert len(headers) == 0


def test_copy_is_independent() -> None:
    headers = Headers({"A": "1"})
    clone = headers.copy()
    clone.add("A", "2")
    clone["B"] = "3"
    assert headers.multi_items() == [("A", "1")]
    assert clone.get_all("a") == ["1", "2"]
    assert isinstance(clone, Headers)


def test_equality() -> None:
    headers = Headers([("Content-Type", "x"), ("Accept", "a"), ("accept", "b")])
    assert headers == Headers([("accept", "a"), ("content-type", "x"), ("ACCEPT", "b")])
    # Order of the values of one name matters.
    assert headers != Headers([("accept", "b"), ("content-type", "x"), ("accept", "a")])
    assert headers == {"content-type": "x", "Accept": "a, b"}
    assert headers == dict(headers)
    assert headers != {"content-type": "x"}
    assert headers != {"content-type": "x", "accept": "a"}
    assert headers != {"content-type": 1, "accept": "a, b"}
    assert headers != [("content-type", "x")]
    assert Headers() == {}
    assert headers != Headers()


def test_equality_round_trips_set_cookie() -> None:
    headers = Headers([("Set-Cookie", COOKIE_A), ("Set-Cookie", COOKIE_B)])
    assert headers == dict(headers)
    assert headers == Headers(headers.multi_items())


def test_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(Headers())


def test_repr_hides_secrets() -> None:
    headers = Headers(
        [
            ("Content-Type", "text/plain"),
            ("Authorization", "Bearer hunter2"),
            ("Proxy-Authorization", "Basic c2VjcmV0"),
            ("Cookie", "session=topsecret"),
            ("Set-Cookie", "sid=alsosecret"),
        ]
    )
    text = repr(headers)
    assert text == (
        "Headers({'Content-Type': 'text/plain', 'Authorization': '[secure]', "
        "'Proxy-Authorization': '[secure]', 'Cookie': '[secure]', "
        "'Set-Cookie': '[secure]'})"
    )
    for secret in ["hunter2", "c2VjcmV0", "topsecret", "alsosecret"]:
        assert secret not in text
        assert secret not in str(headers)


def test_repr_with_repeated_names_shows_pairs() -> None:
    headers = Headers([("X", "1"), ("x", "2"), ("set-cookie", "s1"), ("Set-Cookie", "s2")])
    assert repr(headers) == (
        "Headers([('X', '1'), ('x', '2'), ('set-cookie', '[secure]'), ('Set-Cookie', '[secure]')])"
    )


def test_repr_simple() -> None:
    assert repr(Headers({"content-type": "x"})) == "Headers({'content-type': 'x'})"
    assert repr(Headers()) == "Headers({})"


@pytest.mark.parametrize(
    "value",
    [
        "x\r\nInjected: 1",
        "x\nInjected: 1",
        "x\rInjected: 1",
        "x\0y",
        "\n",
    ],
)
def test_header_injection_in_value_refused(value: str) -> None:
    headers = Headers()
    with pytest.raises(ValueError, match="X-Test") as info:
        headers["X-Test"] = value
    assert "forbidden character" in str(info.value)
    with pytest.raises(ValueError, match="X-Test"):
        headers.add("X-Test", value)
    with pytest.raises(ValueError, match="X-Test"):
        Headers({"X-Test": value})
    with pytest.raises(ValueError, match="X-Test"):
        Headers.from_pairs([["X-Test", value]])
    assert len(headers) == 0


@pytest.mark.parametrize(
    "name",
    ["", "X Test", "X-Test:", "X\r\nInjected", "X\nY", "Ünicode", "(x)", "a/b", ":a"],
)
def test_invalid_name_refused(name: str) -> None:
    headers = Headers()
    with pytest.raises(ValueError, match="Invalid header name") as info:
        headers[name] = "v"
    assert repr(name) in str(info.value)
    with pytest.raises(ValueError, match="Invalid header name"):
        headers.add(name, "v")
    with pytest.raises(ValueError, match="Invalid header name"):
        Headers.from_pairs([[name, "v"]])
    # Among valid pairs too (from_pairs checks all pairs at once first).
    with pytest.raises(ValueError, match="Invalid header name") as info:
        Headers.from_pairs([["A", "1"], [name, "v"], ["B", "2"]])
    assert repr(name) in str(info.value)


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\0b", "\n"])
def test_from_pairs_names_the_bad_value_among_good_ones(value: str) -> None:
    with pytest.raises(ValueError, match="X-Bad"):
        Headers.from_pairs([["A", "1"], ["X-Bad", value], ["B", "2"]])


def test_from_pairs_keeps_every_pair_in_order() -> None:
    pairs = [["B", "2"], ["a", ""], ["Set-Cookie", "x=1; Expires=Wed, 21 Oct"], ["a", "3"]]
    headers = Headers.from_pairs(pairs)
    assert headers.multi_items() == [tuple(pair) for pair in pairs]
    assert headers["A"] == ", 3" and headers.get("missing") is None
    assert headers.get("MISSING", "d") == "d" and headers.get("b") == "2"


def test_token_punctuation_accepted() -> None:
    name = "!#$%&'*+-.^_`|~09azAZ"
    headers = Headers({name: "ok"})
    assert headers[name.lower()] == "ok"


def test_non_str_refused() -> None:
    headers = Headers()
    with pytest.raises(TypeError, match="X-Len"):
        headers["X-Len"] = 5  # type: ignore[assignment]
    with pytest.raises(TypeError, match="name"):
        headers.add(b"X", "1")  # type: ignore[arg-type]


def test_values_may_contain_tabs_and_non_ascii() -> None:
    headers = Headers({"X": "a\tb é"})
    assert headers["x"] == "a\tb é"


token = st.text(alphabet="abcXYZ-_019!~", min_size=1, max_size=8)
value = st.text(
    alphabet=st.characters(blacklist_characters="\r\n\0", blacklist_categories=["Cs"]),
    max_size=10,
)


@given(st.lists(st.tuples(token, value), max_size=12))
def test_round_trips(pairs: list[tuple[str, str]]) -> None:
    headers = Headers(pairs)
    assert headers.multi_items() == pairs
    assert Headers(headers.multi_items()) == headers
    assert headers.copy() == headers
    assert headers == dict(headers)
    assert len(headers) == len({name.lower() for name, _ in pairs})
    for name, _ in pairs:
        expected = [v for n, v in pairs if n.lower() == name.lower()]
        assert headers.get_all(name.upper()) == expected


@given(token, value, st.sampled_from(["\r", "\n", "\0", "\r\n"]), value)
def test_any_value_with_forbidden_char_refused(
    name: str, before: str, bad: str, after: str
) -> None:
    with pytest.raises(ValueError):
        Headers().add(name, before + bad + after)


def test_editing_session_headers_changes_what_is_sent(server: TestServer) -> None:
    # As with requests: s.headers is the session's headers, not a copy of them.
    with httpcloak.Session(headers={"X-Ctor": "c"}) as s:
        s.headers["X-Later"] = "1"
        sent = s.get(f"{server.http}/headers").json()["headers"]
        assert sent["X-Later"] == ["1"] and sent["X-Ctor"] == ["c"]
        del s.headers["X-Ctor"]
        assert "X-Ctor" not in s.get(f"{server.http}/headers").json()["headers"]
        s.headers["X-Ordered"] = "z"
        assert "x-ordered" in s.get_header_order(), "the order reflects edits before a request"
        s.headers = {"X-Assigned": "y"}  # type: ignore[assignment]
        sent = s.get(f"{server.http}/headers").json()["headers"]
        assert sent["X-Assigned"] == ["y"] and "X-Later" not in sent
        assert ("X-Assigned", "y") in httpcloak.Session.unmarshal(s.marshal()).headers.items()


def test_assigned_session_headers_are_the_sessions_headers(server: TestServer) -> None:
    # s.headers = mapping: the session's own Headers from then on (case-insensitive,
    # several values per name), handed to the engine once, at the next request.
    with httpcloak.Session() as s:
        s.headers = {"X-Assigned": "1"}  # type: ignore[assignment]
        assert isinstance(s.headers, Headers) and s.headers["x-assigned"] == "1"
        assert repr(s.headers) == "Headers({'X-Assigned': '1'})"
        s.headers.add("x-assigned", "2")
        sent = s.get(f"{server.http}/headers").json()["headers"]
        assert sent["X-Assigned"] == ["1", "2"]


def test_session_headers_reach_the_engine_only_after_an_edit(
    server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from httpcloak import _abi

    handed: list[list[tuple[str, str]]] = []
    real = _abi.headers_set

    def spy(session: int, headers: list[tuple[str, str]]) -> None:
        handed.append(headers)
        real(session, headers)

    monkeypatch.setattr(_abi, "headers_set", spy)
    with httpcloak.Session(headers={"X-A": "1"}) as s:
        for _ in range(3):
            s.get(f"{server.http}/get").read()
        assert handed == []
        s.headers["X-B"] = "2"
        s.headers["X-C"] = "3"
        s.get(f"{server.http}/get").read()
        s.get(f"{server.http}/get").read()
        assert handed == [[("X-A", "1"), ("X-B", "2"), ("X-C", "3")]]


def test_a_refused_session_header_is_refused_by_every_request(server: TestServer) -> None:
    with httpcloak.Session() as s:
        s.headers["X-Bad"] = "a\x01b"
        for _ in range(2):
            with pytest.raises(httpcloak.InvalidArgument, match="control character"):
                s.get(f"{server.http}/get")
        del s.headers["X-Bad"]
        assert s.get(f"{server.http}/get").status_code == 200
