"""What the requests adapter and the httpx transports share: which of the outer client's
headers reach the engine, and the options every adapter session gets.

Neither requests nor httpx is imported here: importing httpcloak must not load them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._exceptions import InvalidArgument

# The engine frames the body and the connection itself; the client library's values for
# these describe its own wire handling, not ours.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

# Options the adapter decides: the outer client follows redirects and keeps the cookies.
FIXED_OPTIONS = ("allow_redirects", "without_cookie_jar")


def session_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments for the adapter's httpcloak session: the caller's, with
    redirects, the cookie jar and (unless asked for) validators left to the outer client."""
    for name in FIXED_OPTIONS:
        if name in options:
            raise InvalidArgument(
                f"{name}= is not an adapter option: the outer client follows redirects and "
                "keeps the cookies"
            )
    # Validators are the outer client's business too (requests and httpx keep no cache, so a
    # second GET must not turn into a 304 behind their back); a caller may still turn it on.
    return {
        "without_conditional_cache": True,
        **options,
        "allow_redirects": False,
        "without_cookie_jar": True,
    }


def browser_headers(
    pairs: Iterable[tuple[str, str]], library_defaults: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The outer client's request headers minus what the library adds on its own (its
    User-Agent, Accept, Accept-Encoding, Connection: same name, same value as its default),
    so the preset's take their place, in the preset's order. A header the caller set, or a
    default the caller changed, is kept. Framing headers are the engine's to write."""
    defaults = {name.lower(): value for name, value in library_defaults.items()}
    kept = []
    for name, value in pairs:
        lower = name.lower()
        if lower in FRAMING_HEADERS or defaults.get(lower) == value:
            continue
        kept.append((name, value))
    return kept


def refuse_client_cert(cert: object) -> None:
    if cert is not None:
        raise InvalidArgument(
            "client certificates (cert=) are not supported by httpcloak: the preset's TLS "
            "handshake has no client-certificate support"
        )
