"""Network and retry options of a session (issue #8), checked here for types and sent to
the engine (go/internal/engine/netopts.go, go/internal/client/retry.go), which checks
values. Times are in seconds, except the retry backoff bounds, in milliseconds as the
upstream binding takes them (converted here, the one place: the engine keeps seconds)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from ._exceptions import InvalidArgument


class NetworkOptions(TypedDict, total=False):
    """Keyword options of Session / AsyncSession beyond the basic ones.

    tcp_proxy: proxy for HTTP/1.1 and HTTP/2 (the same as proxy= here); refused with
        http_version="h3", which uses no TCP.
    udp_proxy: socks5:// or socks5h:// proxy whose UDP ASSOCIATE relay carries HTTP/3
        (QUIC), with http_version="h3" only (an http:// proxy cannot carry UDP). Not with
        proxy=, which for an "h3" session already means the same when it is socks5://.
    connect_to: {"host" or "host:port": "host" or "host:port"}: dial another address;
        SNI, certificate check and Host stay the URL's. A value without port keeps the URL's.
    prefer_ipv4: dial a name's IPv4 addresses before its IPv6 ones.
    local_address: source IP of every connection (TCP and QUIC, and to the proxy).
    key_log_file: append TLS secrets in NSS key log format (for Wireshark).
    tls_only: send the preset's TLS/HTTP2 fingerprint but none of its headers.
    disable_http3: never use HTTP/3 (an error with http_version="h3").
    quic_idle_timeout: seconds of silence after which a QUIC connection closes (default 90;
        0 also means the default, as in the upstream binding).
    ech_config_domain: a name whose DNS HTTPS record gives every connection its Encrypted
        Client Hello configuration (HTTP/1.1 and HTTP/2). Without it, a host whose own HTTPS
        record has one gets ECH automatically (not through a proxy); disable_ech=True: never.
    tcp_ttl, tcp_mss, tcp_window_size, tcp_window_scale, tcp_df: what every TCP socket's
        SYN carries (IP TTL, MSS option, window, window scale option, DF bit), set on the
        socket before connect, the socket to a proxy included; Linux only; not with
        http_version="h3". See docs/session-options.md for what each does on Linux.
    retry: extra attempts after a connection failure or a retry_on_status answer (0: off).
    retry_on_status: statuses to retry (default 429, 500, 502, 503, 504).
    retry_wait_min, retry_wait_max: backoff bounds in milliseconds, as in the upstream
        binding (default 500 and 10000).
    retry_methods: methods retried (default the idempotent GET HEAD OPTIONS PUT DELETE
        TRACE; add "POST" or "PATCH" only if the server tolerates duplicates).
    disable_ech: no ECH lookups, the preset's GREASE ECH only.
    without_high_entropy_client_hints: do not answer Accept-CH: no high-entropy client hints
        (sec-ch-ua-full-version-list, -platform-version, -arch, ...), which Chromium presets
        otherwise send to an origin that asked for them (see set_high_entropy_client_hints).
    """

    tcp_proxy: str | None
    udp_proxy: str | None
    connect_to: Mapping[str, str] | None
    prefer_ipv4: bool
    local_address: str | None
    key_log_file: str | os.PathLike[str] | None
    tls_only: bool
    disable_http3: bool
    quic_idle_timeout: float | None
    ech_config_domain: str | None
    tcp_ttl: int | None
    tcp_mss: int | None
    tcp_window_size: int | None
    tcp_window_scale: int | None
    tcp_df: bool | None
    retry: int
    retry_on_status: Iterable[int] | None
    retry_wait_min: float
    retry_wait_max: float
    retry_methods: Iterable[str] | None
    disable_ech: bool
    without_high_entropy_client_hints: bool


_STRINGS = ("tcp_proxy", "udp_proxy", "local_address", "ech_config_domain")
_FLAGS = (
    "prefer_ipv4",
    "tls_only",
    "disable_http3",
    "tcp_df",
    "disable_ech",
    "without_high_entropy_client_hints",
)
_INTS = ("retry", "tcp_ttl", "tcp_mss", "tcp_window_size", "tcp_window_scale")
_SECONDS = ("quic_idle_timeout",)
MILLISECONDS = ("retry_wait_min", "retry_wait_max")  # the engine takes them in seconds


def network_options(given: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's JSON fields for the options given; TypeError for a wrong type or an
    unknown keyword, as Python does for a misspelt argument."""
    unknown = set(given) - set(NetworkOptions.__annotations__)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        if name == "quic_idle_timeout" and value == 0 and not isinstance(value, bool):
            continue  # 0 is the upstream binding's "the default"
        if name in _STRINGS:
            out[name] = _string(name, value)
        elif name in _FLAGS:
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
            out[name] = value
        elif name in _SECONDS:
            out[name] = _seconds(name, value)
        elif name in MILLISECONDS:
            out[name] = _milliseconds(name, value) / 1000
        elif name == "key_log_file":
            if not isinstance(value, (str, os.PathLike)):
                raise TypeError(f"key_log_file must be a path, not {type(value).__name__}")
            out[name] = os.fspath(value)
        elif name == "connect_to":
            out[name] = _connect_to(value)
        elif name in _INTS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            out[name] = value
        elif name == "retry_on_status":
            out[name] = [_status(code) for code in _iterable(name, value)]
        elif name == "retry_methods":
            out[name] = [_string(name, m).upper() for m in _iterable(name, value)]
    return out


def _string(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise InvalidArgument(f"{name} must be a finite, non-negative number of seconds")
    return float(value)


def _milliseconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of milliseconds, not {type(value).__name__}")
    if math.isnan(value) or not 0 <= value <= 3_600_000:
        raise InvalidArgument(f"{name} must be between 0 and 3600000 milliseconds, got {value}")
    return float(value)


def _iterable(name: str, value: object) -> Iterable[object]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list, not {type(value).__name__}")
    return value


def _status(code: object) -> int:
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"retry_on_status holds ints, not {type(code).__name__}")
    return code


def _connect_to(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"connect_to must be a mapping, not {type(value).__name__}")
    out: dict[str, str] = {}
    for key, target in value.items():
        if not isinstance(key, str) or not isinstance(target, str):
            raise TypeError("connect_to maps str to str")
        out[key] = target
    return out
