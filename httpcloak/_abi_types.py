"""The JSON that crosses the C ABI, as Python types (the Go side names its structs).

Header pairs are JSON arrays: Python sends tuples, and reads back lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from typing_extensions import NotRequired


class TimeoutJSON(TypedDict):
    """Seconds; None is no limit (go/session_options.go timeoutJSON)."""

    connect: float | None
    read: float | None
    total: float | None


class _RequestSpecFields(TypedDict):
    method: str
    url: str
    headers: list[tuple[str, str]]  # merged over the session's and preset's
    timeout: TimeoutJSON
    allow_redirects: bool
    max_redirects: int


class RequestSpec(_RequestSpecFields, total=False):
    """What hc_stream_open is asked to send (go/request.go requestOptions)."""

    content_length: int  # a streamed body's length, when known
    drop_headers: list[str]  # names this request does not send at all
    disable_conditional_cache: bool  # no validators sent or kept for this request
    disable_client_hints: bool  # the preset's sec-ch-* left out
    disable_high_entropy_client_hints: bool  # no hints asked for with Accept-CH
    disable_redirect_referer: bool  # no Referer after a redirect
    exact_headers: bool  # only this request's headers, in their order
    header_order: list[str]  # this request's order instead of the session's
    fetch_mode: str  # what the request is for: "navigate", "cors" or "no-cors"
    fetch_dest: str  # and its destination: "document", "empty", "style", "script", "image"
    on_redirect: bool  # each redirect hop waits for the caller's decision (redirect.decide)


class RedirectHop(TypedDict):
    """One redirect response on the way (go/redirects.go hop)."""

    status: int
    reason: str
    proto: str
    url: str
    headers: list[list[str]]


# A redirect waiting for the caller's decision (go/abi_json.go redirectHopJSON); "from" is
# a keyword, hence this form.
PendingRedirect = TypedDict(
    "PendingRedirect",
    {
        "hop": int,
        "status": int,
        "headers": list[list[str]],
        "from": str,
        "to": str,
        "method": str,
        "cross_origin": bool,
        "downgrade": bool,
    },
)


class ResponseMeta(TypedDict):
    """The response headers and where they came from (go/stream.go metaJSON)."""

    status: int
    reason: str
    proto: str  # "h1", "h2" or "h3"
    headers: list[list[str]]  # in the order received, names lowercase
    wire_names: NotRequired[list[str]]  # each header's name as received (h1, h2)
    content_length: int  # -1 when unknown
    url: str
    history: list[RedirectHop] | None  # the redirects followed, oldest first


class CookieJSON(TypedDict):
    """One cookie of the jar (go/abi_json.go cookieJSON)."""

    name: str
    value: str
    domain: str  # a leading dot: a domain cookie; none: host-only
    path: str
    expires: float  # unix seconds; 0 for a session cookie
    secure: bool
    http_only: bool
    same_site: str


class _PresetFields(TypedDict):
    name: str
    engine_profile: str
    headers: list[list[str]]
    browser: str
    version: str
    platform: str
    source: str


class PresetJSON(_PresetFields, total=False):
    """One entry of hc_presets (go/presets.go, go/preset_registry.go)."""

    alias_of: str
    custom: bool
    based_on: str
    ja3: str
    akamai: str
    extra_fp: dict[str, Any]
    disable_http3: bool


class CertificatePin(TypedDict):
    """One certificate pin as Session.get_pins() lists it."""

    pin: str  # "sha256/<base64 of the SHA-256 of the SubjectPublicKeyInfo>"
    host: str  # "" for every host
    include_subdomains: bool
