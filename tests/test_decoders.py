from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from httpcloak._decoders import (
    ByteLineDecoder,
    LineDecoder,
    ServerSentEvent,
    SSEDecoder,
    TextDecoder,
)

T = TypeVar("T", str, bytes)

# --- helpers -----------------------------------------------------------------


def split_at(data: T, cuts: Sequence[int]) -> list[T]:
    """Split ``data`` at the given offsets (repeats make empty chunks)."""
    points = [0, *sorted(cuts), len(data)]
    return [data[a:b] for a, b in pairwise(points)]


def reference_lines(text: str, keepends: bool = False) -> list[str]:
    """Independent splitter: breaks are exactly CRLF, CR and LF."""
    if keepends:
        return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)
    parts = re.split(r"\r\n|\r|\n", text)
    if parts[-1] == "":
        parts.pop()  # text was empty or ended with a break
    return parts


def decode_text_chunks(chunks: Sequence[str], keepends: bool = False) -> list[str]:
    decoder = LineDecoder(keepends=keepends)
    lines = [line for chunk in chunks for line in decoder.decode(chunk)]
    return lines + decoder.flush()


def decode_byte_chunks(chunks: Sequence[bytes], keepends: bool = False) -> list[bytes]:
    decoder = ByteLineDecoder(keepends=keepends)
    lines = [line for chunk in chunks for line in decoder.decode(chunk)]
    return lines + decoder.flush()


def sse_from_lines(lines: Sequence[str]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for line in lines if (event := decoder.decode(line)) is not None]
    final = decoder.flush()
    return events + ([final] if final is not None else [])


def sse_from_text(text: str) -> list[ServerSentEvent]:
    return sse_from_lines(decode_text_chunks([text]))


line_text = st.lists(st.sampled_from(["a", "b", "xyz", "\n", "\r", "\r\n"])).map("".join) | st.text(
    alphabet="ab\r\n"
)


@st.composite
def text_and_cuts(draw: st.DrawFn) -> tuple[str, list[int]]:
    text = draw(line_text)
    cuts = draw(st.lists(st.integers(0, len(text)), max_size=max(len(text), 1) * 2))
    return text, cuts


# --- TextDecoder ---------------------------------------------------------------


def test_text_decoder_multibyte_split() -> None:
    euro = "€".encode()  # three bytes
    assert len(euro) == 3
    decoder = TextDecoder("utf-8")
    assert decoder.decode(b"a" + euro[:1]) == "a"
    assert decoder.decode(euro[1:2]) == ""
    assert decoder.decode(euro[2:] + b"b") == "€b"
    assert decoder.flush() == ""


def test_text_decoder_truncated_char_is_replaced_on_flush() -> None:
    decoder = TextDecoder()
    assert decoder.decode("€".encode()[:2]) == ""
    assert decoder.flush() == "\ufffd"


def test_text_decoder_strict_errors() -> None:
    decoder = TextDecoder("utf-8", errors="strict")
    with pytest.raises(UnicodeDecodeError):
        decoder.decode(b"\xff")


def test_text_decoder_other_encoding() -> None:
    assert TextDecoder("latin-1").decode(b"\xe9") == "é"


def test_text_decoder_unknown_encoding() -> None:
    with pytest.raises(LookupError):
        TextDecoder("no-such-codec")


@given(st.text(max_size=50), st.data())
def test_text_decoder_any_split(text: str, draw: st.DataObject) -> None:
    data = text.encode("utf-8")
    cuts = draw.draw(st.lists(st.integers(0, len(data)), max_size=10))
    decoder = TextDecoder()
    out = "".join(decoder.decode(chunk) for chunk in split_at(data, cuts))
    assert out + decoder.flush() == text


# --- LineDecoder / ByteLineDecoder ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\nb", ["a", "b"]),
        ("a\n\nb", ["a", "", "b"]),
        ("a\r\nb\rc\nd", ["a", "b", "c", "d"]),
        ("\n", [""]),
        ("\r", [""]),
        ("\r\r", ["", ""]),
        ("\n\r", ["", ""]),
        ("\r\n", [""]),
        ("\r\n\r\n", ["", ""]),
        # Only CR and LF break; str.splitlines would split on these too.
        ("a\x0bb\x0cc\x1cd\x85e\u2028f", ["a\x0bb\x0cc\x1cd\x85e\u2028f"]),
    ],
)
def test_line_decoder_one_shot(text: str, lines: list[str]) -> None:
    assert decode_text_chunks([text]) == lines
    assert reference_lines(text) == lines


def test_crlf_split_across_chunks_is_one_break() -> None:
    decoder = LineDecoder()
    assert decoder.decode("a\r") == []
    assert decoder.decode("\nb") == ["a"]
    assert decoder.flush() == ["b"]


def test_crlf_split_across_chunks_keepends() -> None:
    decoder = LineDecoder(keepends=True)
    assert decoder.decode("a\r") == []
    assert decoder.decode("") == []  # an empty chunk settles nothing
    assert decoder.decode("\nb\r") == ["a\r\n"]
    assert decoder.decode("c") == ["b\r"]
    assert decoder.flush() == ["c"]


def test_lone_cr_resolved_by_next_chunk() -> None:
    decoder = LineDecoder()
    assert decoder.decode("a\r") == []
    assert decoder.decode("b") == ["a"]
    assert decoder.flush() == ["b"]


def test_cr_at_very_end() -> None:
    decoder = LineDecoder()
    assert decoder.decode("a\r") == []
    assert decoder.flush() == ["a"]
    keep = LineDecoder(keepends=True)
    assert keep.decode("a\nb\r") == ["a\n"]
    assert keep.flush() == ["b\r"]


def test_lone_cr_line_is_empty_line_at_end() -> None:
    decoder = LineDecoder()
    assert decoder.decode("a\n\r") == ["a"]
    assert decoder.flush() == [""]


def test_trailing_text_without_terminator() -> None:
    decoder = LineDecoder()
    assert decoder.decode("one\ntw") == ["one"]
    assert decoder.decode("o") == []
    assert decoder.flush() == ["two"]
    assert decoder.flush() == []


def test_empty_chunks_are_harmless() -> None:
    decoder = LineDecoder()
    assert decoder.decode("") == []
    assert decoder.decode("a") == []
    assert decoder.decode("") == []
    assert decoder.decode("\n") == ["a"]
    assert decoder.decode("") == []
    assert decoder.flush() == []


def test_decoder_reusable_after_flush() -> None:
    decoder = ByteLineDecoder()
    assert decoder.decode(b"x\r") == []
    assert decoder.flush() == [b"x"]
    assert decoder.decode(b"\ny\n") == [b"", b"y"]


def test_byte_line_decoder_basic() -> None:
    decoder = ByteLineDecoder(keepends=True)
    assert decoder.decode(b"a\r\nb\r") == [b"a\r\n"]
    assert decoder.decode(b"\r\n") == [b"b\r", b"\r\n"]
    assert decoder.flush() == []


def test_many_lines_in_one_chunk() -> None:
    text = "".join(f"line {i}\r\n" for i in range(1000))
    assert decode_text_chunks([text]) == [f"line {i}" for i in range(1000)]


# A decoder that re-joined or re-scanned its whole buffer for every chunk
# would copy ~2e12 bytes for these 2M-char lines and take minutes (measured:
# a joining variant needs ~30 s for just 1M); the linear one needs ~1 s.
LONG_LINE = 2_000_000


def test_long_line_in_one_char_chunks_is_linear() -> None:
    decoder = LineDecoder()
    assert not any(decoder.decode("x") for _ in range(LONG_LINE))
    assert decoder.decode("\r") == []
    assert decoder.decode("\n") == ["x" * LONG_LINE]
    assert decoder.flush() == []


def test_long_byte_line_in_one_byte_chunks_is_linear() -> None:
    decoder = ByteLineDecoder(keepends=True)
    assert not any(decoder.decode(b"x") for _ in range(LONG_LINE))
    assert decoder.flush() == [b"x" * LONG_LINE]


@given(text_and_cuts())
def test_line_decoder_any_split(case: tuple[str, list[int]]) -> None:
    text, cuts = case
    expected = reference_lines(text)
    assert decode_text_chunks([text]) == expected
    assert decode_text_chunks(split_at(text, cuts)) == expected


@given(text_and_cuts())
def test_line_decoder_any_split_keepends(case: tuple[str, list[int]]) -> None:
    text, cuts = case
    expected = reference_lines(text, keepends=True)
    assert decode_text_chunks([text], keepends=True) == expected
    lines = decode_text_chunks(split_at(text, cuts), keepends=True)
    assert lines == expected
    assert "".join(lines) == text  # terminators are kept exactly


@given(text_and_cuts(), st.booleans())
def test_byte_line_decoder_any_split(case: tuple[str, list[int]], keepends: bool) -> None:
    text, cuts = case
    data = text.encode()
    expected = [line.encode() for line in reference_lines(text, keepends)]
    assert decode_byte_chunks([data], keepends) == expected
    assert decode_byte_chunks(split_at(data, cuts), keepends) == expected


@given(text_and_cuts())
def test_one_char_chunks(case: tuple[str, list[int]]) -> None:
    text, _ = case
    assert decode_text_chunks(list(text)) == reference_lines(text)


def test_text_and_line_decoders_compose_on_multibyte() -> None:
    data = "héllo\r\nwörld €\r".encode()
    text_decoder, line_decoder = TextDecoder(), LineDecoder()
    lines: list[str] = []
    for i in range(len(data)):
        lines += line_decoder.decode(text_decoder.decode(data[i : i + 1]))
    lines += line_decoder.decode(text_decoder.flush()) + line_decoder.flush()
    assert lines == ["héllo", "wörld €"]


# --- SSEDecoder ----------------------------------------------------------------


def test_sse_multiline_data() -> None:
    # WHATWG example: stock ticker.
    events = sse_from_text("data: YHOO\ndata: +2\ndata: 10\n\n")
    assert events == [ServerSentEvent(event="message", data="YHOO\n+2\n10", id="")]


def test_sse_comments_ids_and_incomplete_tail() -> None:
    # WHATWG example with a comment, id set then reset, and a final block
    # that is not followed by a blank line.
    stream = (
        ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n"
    )
    assert sse_from_text(stream) == [
        ServerSentEvent(data="first event", id="1"),
        ServerSentEvent(data="second event", id=""),
    ]
    # With the blank line the third event fires, keeping one leading space.
    assert sse_from_text(stream + "\n")[-1] == ServerSentEvent(data=" third event")


def test_sse_data_without_colon() -> None:
    # WHATWG example: "data" alone is a field with an empty value.
    events = sse_from_text("data\n\ndata\ndata\n\ndata:")
    assert [e.data for e in events] == ["", "\n"]


def test_sse_space_after_colon_is_optional() -> None:
    # WHATWG example: both blocks fire "test".
    events = sse_from_text("data:test\n\ndata: test\n\n")
    assert [e.data for e in events] == ["test", "test"]


def test_sse_only_one_leading_space_stripped() -> None:
    assert sse_from_text("data:   x \n\n")[0].data == "  x "


def test_sse_value_may_contain_colons() -> None:
    assert sse_from_text("data: a:b: c\n\n")[0].data == "a:b: c"


def test_sse_event_types() -> None:
    stream = "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\ndata: x\n\n"
    events = sse_from_text(stream)
    assert [(e.event, e.data) for e in events] == [
        ("add", "73857293"),
        ("remove", "2153"),
        ("message", "x"),  # the event type does not carry over
    ]


def test_sse_empty_event_name_means_message() -> None:
    assert sse_from_text("event:\ndata: x\n\n")[0].event == "message"


def test_sse_id_persists_across_events() -> None:
    events = sse_from_text("id: 7\ndata: a\n\ndata: b\n\nid: 8\n\ndata: c\n\n")
    assert [(e.data, e.id) for e in events] == [("a", "7"), ("b", "7"), ("c", "8")]


def test_sse_id_with_nul_is_ignored() -> None:
    decoder = SSEDecoder()
    for line in ["id: 1", "data: a", ""]:
        decoder.decode(line)
    assert decoder.decode("id: 2\0x") is None
    decoder.decode("data: b")
    event = decoder.decode("")
    assert event is not None and event.id == "1"
    assert decoder.last_event_id == "1"


def test_sse_id_updates_without_dispatch() -> None:
    decoder = SSEDecoder()
    assert decoder.decode("id: 42") is None
    assert decoder.decode("") is None  # no data: nothing dispatched
    assert decoder.last_event_id == "42"


def test_sse_retry() -> None:
    events = sse_from_text(
        "retry: 3000\ndata: a\n\n"
        "data: b\n\n"
        "retry: 12x\ndata: c\n\n"
        "retry:\ndata: d\n\n"
        "retry: -5\ndata: e\n\n"
        "retry: \u0661\u0662\ndata: f\n\n"  # Arabic-Indic digits are not ASCII
    )
    assert [(e.data, e.retry) for e in events] == [
        ("a", 3000),
        ("b", None),
        ("c", None),
        ("d", None),
        ("e", None),
        ("f", None),
    ]


def test_sse_retry_only_block_is_kept_on_decoder() -> None:
    decoder = SSEDecoder()
    assert decoder.retry is None
    for line in ["retry: 1500", "", "data: x"]:
        assert decoder.decode(line) is None
    assert decoder.retry == 1500
    event = decoder.decode("")
    assert event is not None and event.retry is None
    assert decoder.retry == 1500


def test_sse_unknown_fields_ignored() -> None:
    events = sse_from_text("foo: bar\ndata: x\nDATA: y\n\n")
    assert events == [ServerSentEvent(data="x")]


def test_sse_flush_discards_incomplete_event() -> None:
    decoder = SSEDecoder()
    for line in ["id: 5", "retry: 10", "event: x", "data: partial"]:
        assert decoder.decode(line) is None
    assert decoder.flush() is None
    # The half-built event is gone for good...
    assert decoder.decode("") is None
    # ...but last event id and reconnection time survive for a reconnect,
    # and the next stream may start with its own BOM.
    assert (decoder.last_event_id, decoder.retry) == ("5", 10)
    decoder.flush()
    assert decoder.decode("\ufeffdata: y") is None
    assert decoder.decode("") == ServerSentEvent(data="y", id="5")


def test_sse_bom_stripped_at_stream_start_only() -> None:
    assert sse_from_text("\ufeffdata: x\n\n") == [ServerSentEvent(data="x")]
    # Later BOMs are part of the text: "\ufeffdata" is an unknown field.
    assert sse_from_text("data: a\n\n\ufeffdata: x\n\n") == [ServerSentEvent(data="a")]
    # Only one BOM is stripped.
    assert sse_from_text("\ufeff\ufeffdata: x\n\n") == []


def test_sse_bom_from_bytes() -> None:
    data = b"\xef\xbb\xbfdata: hi\r\n\r\n"
    lines = [line.decode() for line in decode_byte_chunks([data])]
    assert sse_from_lines(lines) == [ServerSentEvent(data="hi")]


def test_sse_event_json() -> None:
    event = sse_from_text('data: {"a": [1,\ndata: 2]}\n\n')[0]
    assert event.json() == {"a": [1, 2]}


def test_server_sent_event_is_frozen() -> None:
    event = ServerSentEvent(data="x")
    with pytest.raises(AttributeError):
        event.data = "y"  # type: ignore[misc]
    assert (event.event, event.id, event.retry) == ("message", "", None)


sse_block = st.lists(
    st.sampled_from(
        [
            "data: hello",
            "data:wörld €",
            "data",
            "data: ",
            "event: ping",
            "id: 9",
            "id",
            "retry: 250",
            "retry: nope",
            ": comment",
            "unknown: x",
        ]
    ),
    max_size=5,
)


@given(
    st.lists(sse_block, max_size=6),
    st.sampled_from(["\n", "\r", "\r\n"]),
    st.booleans(),
    st.data(),
)
def test_sse_any_split_and_line_endings(
    blocks: list[list[str]], newline: str, bom: bool, draw: st.DataObject
) -> None:
    lines = [line for block in blocks for line in [*block, ""]]
    stream = ("\ufeff" if bom else "") + "".join(line + newline for line in lines)
    expected = sse_from_lines(lines)

    data = stream.encode()
    cuts = draw.draw(st.lists(st.integers(0, len(data)), max_size=30))
    # Bytes -> lines -> text: CR and LF bytes never occur inside a UTF-8
    # multibyte sequence, so splitting before decoding is safe.
    byte_lines = decode_byte_chunks(split_at(data, cuts))
    assert sse_from_lines([line.decode() for line in byte_lines]) == expected

    # Bytes -> text -> lines, with the text decoder bridging split characters.
    text_decoder, line_decoder = TextDecoder(), LineDecoder()
    text_lines: list[str] = []
    for chunk in split_at(data, cuts):
        text_lines += line_decoder.decode(text_decoder.decode(chunk))
    text_lines += line_decoder.decode(text_decoder.flush()) + line_decoder.flush()
    assert sse_from_lines(text_lines) == expected
