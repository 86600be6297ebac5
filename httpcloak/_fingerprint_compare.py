"""What a preset sends, compared field by field with a browser's capture (`httpcloak
--fingerprint --compare`). Both sides are connection records of the test server's
/fingerprint/full (go/testserver/README.md, "Full capture"): the capture files under
tests/fixtures/browsers/ are such records, made by tools/capture_browsers.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]

# Every field of the ClientHello that a fingerprint is made of, compared as it is.
_HELLO_FIELDS = (
    "ja4",
    "cipher_suites",
    "supported_groups",
    "signature_algorithms",
    "supported_versions",
    "alpn",
    "alps",
    "cert_compression",
    "record_size_limit",
    "delegated_credentials",
)


def is_grease(value: int) -> bool:
    """RFC 8701's reserved values (0x0a0a, 0x1a1a, ...): random per connection."""
    return value & 0x0F0F == 0x0A0A and value >> 8 == value & 0xFF


def _greased(values: Any) -> Any:
    if not isinstance(values, list):
        return values
    return ["GREASE" if isinstance(v, int) and is_grease(v) else v for v in values]


@dataclass(frozen=True)
class Row:
    field: str
    capture: Any
    ours: Any
    # Informational rows (an order a browser changes on every connection) never fail.
    counts: bool = True

    @property
    def equal(self) -> bool:
        return bool(self.capture == self.ours)


def _extensions(hello: Record) -> list[Any]:
    return ["GREASE" if is_grease(e["id"]) else e["id"] for e in hello["extensions"]]


def _ech(hello: Record) -> Any:
    ech = hello.get("ech")
    return ech and {k: ech.get(k) for k in ("type", "kdf", "enc_length")}


def _ech_aead(hello: Record) -> Any:
    return (hello.get("ech") or {}).get("aead")


def _first_request(record: Record) -> list[list[str]] | None:
    """The first request's header fields (HTTP/2: pseudo-headers included)."""
    for frame in (record.get("http2") or {}).get("frames") or []:
        if frame.get("headers"):
            return [list(h) for h in frame["headers"]]
    for head in record.get("http1") or []:
        headers = head.get("headers") if isinstance(head, dict) else None
        if headers:
            return [list(h) for h in headers]
    return None


def compare(capture: Record, ours: Record) -> list[Row]:
    """The rows of the comparison, in the order a reader checks them."""
    theirs_hello, my_hello = capture["client_hello"], ours["client_hello"]
    rows = [
        Row(name, _greased(theirs_hello.get(name)), _greased(my_hello.get(name)))
        for name in _HELLO_FIELDS
    ]
    rows.insert(2, Row("extensions (set)", sorted(map(str, _extensions(theirs_hello))),
                       sorted(map(str, _extensions(my_hello)))))  # fmt: skip
    rows.insert(3, Row("extension order", _extensions(theirs_hello), _extensions(my_hello),
                       counts=False))  # fmt: skip
    rows.append(Row(
        "key_shares",
        [("GREASE" if is_grease(k["group"]) else k["group"], k["length"])
         for k in theirs_hello["key_shares"]],
        [("GREASE" if is_grease(k["group"]) else k["group"], k["length"])
         for k in my_hello["key_shares"]],
    ))  # fmt: skip
    rows.append(Row("ech", _ech(theirs_hello), _ech(my_hello)))
    # Firefox picks AES-128-GCM or ChaCha20 for its GREASE ECH on each connection.
    rows.append(Row("ech aead", _ech_aead(theirs_hello), _ech_aead(my_hello), counts=False))
    h2_theirs, h2_mine = capture.get("http2") or {}, ours.get("http2") or {}
    rows.append(Row("akamai", h2_theirs.get("akamai"), h2_mine.get("akamai")))
    theirs_request, my_request = _first_request(capture), _first_request(ours)
    rows.append(
        Row(
            "header order",
            theirs_request and [name for name, _ in theirs_request],
            my_request and [name for name, _ in my_request],
        )
    )
    values = {name for name, _ in theirs_request or []} | {name for name, _ in my_request or []}
    for name in sorted(values):
        if name.startswith(":") and name not in (":method", ":scheme"):
            continue  # the path and authority are the URL's, not the browser's
        rows.append(
            Row(
                f"header {name}",
                [v for n, v in theirs_request or [] if n == name] or None,
                [v for n, v in my_request or [] if n == name] or None,
            )
        )
    return rows


def render(rows: list[Row]) -> str:
    """A plain table: one line a field, '=' when equal, '!=' when not, '~' for what a
    browser changes on every connection (shown, never counted)."""
    lines = []
    for row in rows:
        if row.equal:
            lines.append(f"=  {row.field}: {row.ours}")
        else:
            mark = "~ " if not row.counts else "!="
            lines.append(f"{mark} {row.field}:")
            lines.append(f"     capture: {row.capture}\n     ours:    {row.ours}")
    differ = sum(1 for r in rows if r.counts and not r.equal)
    lines.append(f"{differ} field(s) differ" if differ else "every field is equal")
    return "\n".join(lines)
