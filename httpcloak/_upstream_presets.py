"""Upstream's preset files ({"version": 1, "preset": {...}} and {"version": 1, "pool": {...}},
as in its examples/presets/) read into this package's preset document (docs/fingerprints.md),
and a preset described in upstream's shape (describe_preset).

What this engine can apply is applied: the name and ``based_on``, ``tls.ja3`` with its
extras (signature algorithms, ALPN, certificate compression, record size limit, extension
shuffle), ``http2.akamai`` (or the SETTINGS, window and pseudo-header order given one by
one), the headers (``user_agent``, ``values``, ``order``, ``http2.hpack_header_order``) and
``protocols.h3``. Anything else (TCP/IP fields, per-destination priorities, HPACK policies,
HTTP/3 parameters...) is reported in one ``UpstreamPresetWarning`` naming each field, never
dropped silently; a field that only repeats what describe_preset emitted is no change.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import Any

from ._exceptions import InvalidArgument

__all__ = ["UpstreamPresetWarning", "describe", "from_upstream", "is_upstream", "pool_presets"]


class UpstreamPresetWarning(UserWarning):
    """An upstream preset file asked for something this engine does not apply."""


# TLS SignatureScheme code points -> the engine's names (extra_fp tls_signature_algorithms).
_SIGNATURE_SCHEMES = {
    0x0201: "PKCS1WithSHA1",
    0x0203: "ECDSAWithSHA1",
    0x0401: "PKCS1WithSHA256",
    0x0403: "ECDSAWithP256AndSHA256",
    0x0501: "PKCS1WithSHA384",
    0x0503: "ECDSAWithP384AndSHA384",
    0x0601: "PKCS1WithSHA512",
    0x0603: "ECDSAWithP521AndSHA512",
    0x0804: "PSSWithSHA256",
    0x0805: "PSSWithSHA384",
    0x0806: "PSSWithSHA512",
    0x0807: "Ed25519",
}
# HTTP/2 SETTINGS by upstream's field names, with their identifiers.
_H2_SETTINGS = {
    "header_table_size": 1,
    "enable_push": 2,
    "max_concurrent_streams": 3,
    "initial_window_size": 4,
    "max_frame_size": 5,
    "max_header_list_size": 6,
}
_PSEUDO = {":method": "m", ":authority": "a", ":scheme": "s", ":path": "p"}
_TLS_EXTRAS = ("signature_algorithms", "alpn", "cert_compression", "record_size_limit")


def is_upstream(document: Any) -> bool:
    return isinstance(document, dict) and ("preset" in document or "pool" in document)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidArgument(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def from_upstream(document: Mapping[str, Any], base_info: Any) -> dict[str, Any]:
    """Our preset document for upstream's {"version": 1, "preset": {...}}. base_info(name)
    gives a registered preset's PresetInfo (for the headers values/user_agent edit)."""
    version = document.get("version", 1)
    if version != 1:
        raise InvalidArgument(f"upstream preset file version must be 1, got {version!r}")
    extra_keys = set(document) - {"version", "preset"}
    if extra_keys:
        raise InvalidArgument(f"unknown fields in the preset file: {sorted(extra_keys)}")
    return _preset(_object(document.get("preset"), "preset"), base_info)


def pool_presets(document: Mapping[str, Any], base_info: Any) -> tuple[str, str, list[Any]]:
    """(name, strategy, [our preset documents]) of upstream's {"version": 1, "pool": ...}."""
    pool = _object(document.get("pool"), "pool")
    strategy = str(pool.get("strategy", "round-robin")).replace("-", "_")
    presets = pool.get("presets")
    if not isinstance(presets, list) or not presets:
        raise InvalidArgument("pool.presets must be a non-empty list of presets")
    unknown = set(pool) - {"name", "strategy", "presets"}
    if unknown:
        raise InvalidArgument(f"unknown fields in pool: {sorted(unknown)}")
    return str(pool.get("name", "")), strategy, [_object(p, "pool.presets[]") for p in presets]


def _preset(p: dict[str, Any], base_info: Any) -> dict[str, Any]:
    name = p.get("name")
    if not isinstance(name, str):
        raise InvalidArgument("preset.name must be a str")
    ignored: list[str] = []
    tls = _object(p.get("tls", {}), "preset.tls")
    http2 = _object(p.get("http2", {}), "preset.http2")
    based_on = p.get("based_on")
    hello = tls.get("client_hello")
    if not based_on:
        based_on = hello if isinstance(hello, str) and _known(base_info, hello) else None
    out: dict[str, Any] = {"name": name}
    if based_on:
        out["based_on"] = based_on
    base = base_info(based_on or "chrome-latest")
    if hello is not None and not _same_hello(base_info, hello, based_on, base.engine_profile):
        ignored.append("tls.client_hello (the hello is based_on's, or tls.ja3's)")
    extra = _tls(tls, out, ignored)
    extra.update(_object(p.get("extra_fp", {}), "preset.extra_fp"))  # ours, as describe emits it
    if extra:
        out["extra_fp"] = extra
    _http2(http2, out, ignored)
    headers = _headers(_object(p.get("headers", {}), "preset.headers"), base, ignored)
    order = http2.get("hpack_header_order")
    if order is not None:
        headers = _reordered(headers, order, ignored)
    if headers != base.headers:
        out["headers"] = [list(h) for h in headers]
    protocols = _object(p.get("protocols", {}), "preset.protocols")
    if protocols.get("h3") is False:
        out["disable_http3"] = True
    ignored += [f"protocols.{k}" for k in protocols if k != "h3"]
    ignored += [f"preset.{k}" for k in p if k not in _APPLIED_TOP]
    if ignored:
        warnings.warn(
            f"preset {name!r}: not applied by this engine: {', '.join(ignored)}",
            UpstreamPresetWarning,
            stacklevel=4,
        )
    return out


_APPLIED_TOP = {"name", "based_on", "tls", "http2", "headers", "protocols", "extra_fp"}


def _same_hello(base_info: Any, hello: Any, based_on: Any, profile: str) -> bool:
    """Whether tls.client_hello names the hello based_on gives anyway (a preset of the same
    engine profile, or that profile)."""
    if hello in (based_on, profile):
        return True
    return (
        isinstance(hello, str)
        and _known(base_info, hello)
        and base_info(hello).engine_profile == profile
    )


def _known(base_info: Any, name: str) -> bool:
    try:
        base_info(name)
    except InvalidArgument:
        return False
    return True


def _tls(tls: dict[str, Any], out: dict[str, Any], ignored: list[str]) -> dict[str, Any]:
    if "ja3" in tls:
        out["ja3"] = tls["ja3"]
    extras = dict(_object(tls.get("ja3_extras", {}), "preset.tls.ja3_extras"))
    extras.update({k: tls[k] for k in (*_TLS_EXTRAS, "permute_extensions") if k in tls})
    extra: dict[str, Any] = {}
    carried = _ja3_extensions(tls.get("ja3"))
    for key, value in extras.items():
        needs = _EXTENSION_OF.get(key)
        if carried is not None and needs is not None and needs not in carried:
            ignored.append(f"tls.{key} (the JA3 has no extension {needs})")
            continue
        if key == "signature_algorithms":
            names = []
            for code in value:
                if code not in _SIGNATURE_SCHEMES:
                    raise InvalidArgument(f"tls signature algorithm {code!r} is not supported")
                names.append(_SIGNATURE_SCHEMES[code])
            extra["tls_signature_algorithms"] = names
        elif key in ("alpn", "cert_compression", "record_size_limit", "permute_extensions"):
            extra[f"tls_{key}"] = value
        else:
            ignored.append(f"tls.ja3_extras.{key}")
    handled = {"ja3", "ja3_extras", "client_hello", *_TLS_EXTRAS, "permute_extensions"}
    ignored += [f"tls.{k}" for k in tls if k not in handled]
    return extra


# The extension an extra edits: without it in the JA3 the extra has nothing to act on.
_EXTENSION_OF = {
    "signature_algorithms": 13,
    "alpn": 16,
    "cert_compression": 27,
    "record_size_limit": 28,
}


def _ja3_extensions(ja3: Any) -> set[int] | None:
    """The extension numbers a JA3 string lists; None when there is no JA3 (or it is
    malformed: the engine says why)."""
    if not isinstance(ja3, str) or ja3.count(",") != 4:
        return None
    try:
        return {int(e) for e in ja3.split(",")[2].split("-") if e}
    except ValueError:
        return None


def _http2(http2: dict[str, Any], out: dict[str, Any], ignored: list[str]) -> None:
    if "akamai" in http2:
        out["akamai"] = http2["akamai"]
    else:
        akamai = _akamai_of(http2)
        if akamai is not None:
            out["akamai"] = akamai
    handled = {"akamai", "hpack_header_order", *_H2_SETTINGS, "settings_order"}
    handled |= {"connection_window_update", "pseudo_order"}
    for key, value in http2.items():
        if key in handled:
            continue
        if key == "priority_table" and value == {}:
            continue  # as describe_preset emits it: nothing changed
        ignored.append(f"http2.{key}")


def _akamai_of(http2: dict[str, Any]) -> str | None:
    """The Akamai string of SETTINGS, window update and pseudo-header order given one by
    one (all three are needed: this engine takes the preface whole)."""
    settings = {k: v for k, v in http2.items() if k in _H2_SETTINGS}
    window = http2.get("connection_window_update")
    pseudo = http2.get("pseudo_order")
    if not settings and window is None and pseudo is None:
        return None
    if not settings or window is None or pseudo is None:
        raise InvalidArgument(
            "http2 without akamai needs its SETTINGS, connection_window_update and "
            "pseudo_order (this engine takes the HTTP/2 preface whole)"
        )
    order = http2.get("settings_order") or sorted(_H2_SETTINGS[k] for k in settings)
    values = {_H2_SETTINGS[k]: int(v) for k, v in settings.items()}
    missing = [i for i in order if i not in values]
    if missing:
        raise InvalidArgument(f"http2.settings_order names settings without a value: {missing}")
    pairs = ";".join(f"{i}:{values[i]}" for i in order)
    try:
        letters = ",".join(_PSEUDO[h] for h in pseudo)
    except (KeyError, TypeError):
        raise InvalidArgument(
            f"http2.pseudo_order must list :method, :authority, :scheme, :path; got {pseudo!r}"
        ) from None
    return f"{pairs}|{int(window)}|0|{letters}"


def _headers(spec: dict[str, Any], base: Any, ignored: list[str]) -> list[tuple[str, str]]:
    """The navigation headers: ``order`` (an empty value takes ``values``' or the
    user_agent) in place of the base's, else the base's with ``values`` laid over them."""
    values = {
        str(k).lower(): str(v) for k, v in _object(spec.get("values", {}), "headers.values").items()
    }
    if "user_agent" in spec:
        values["user-agent"] = str(spec["user_agent"])
    ignored += [f"headers.{k}" for k in spec if k not in ("values", "user_agent", "order")]
    order = spec.get("order")
    if order is not None:
        headers = []
        for entry in order:
            entry = _object(entry, "headers.order[]")
            key = str(entry.get("key", "")).lower()
            value = str(entry.get("value", "")) or values.get(key, "")
            headers.append((key, value))
        return headers
    headers = [(n, values.pop(n.lower(), v)) for n, v in base.headers]
    return headers + list(values.items())


def _reordered(
    headers: list[tuple[str, str]], order: Any, ignored: list[str]
) -> list[tuple[str, str]]:
    """headers with the names of order first, in that order (HTTP/2 sends its headers in
    list order), the rest after as they were."""
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
        raise InvalidArgument("http2.hpack_header_order must be a list of header names")
    present = {n.lower() for n, _ in headers}
    absent = [n for n in order if n.lower() not in present]
    if absent:
        ignored.append(f"http2.hpack_header_order names without a preset header {absent}")
    rank = {n.lower(): i for i, n in enumerate(order)}
    first = sorted((h for h in headers if h[0].lower() in rank), key=lambda h: rank[h[0].lower()])
    return first + [h for h in headers if h[0].lower() not in rank]


def describe(info: Any) -> str:
    """upstream's {"version": 1, "preset": {...}} for a PresetInfo: loading it back
    (under another name) gives the same preset."""
    target = info.alias_of or info.name
    preset: dict[str, Any] = {"name": info.name, "based_on": info.based_on or target}
    if info.custom:
        preset["based_on"] = info.based_on or "chrome-latest"
    tls: dict[str, Any] = {"ja3": info.ja3} if info.ja3 else {"client_hello": info.engine_profile}
    preset["tls"] = tls
    http2: dict[str, Any] = {"hpack_header_order": [n for n, _ in info.headers]}
    if info.akamai:
        http2["akamai"] = info.akamai
    http2["priority_table"] = {}
    preset["http2"] = http2
    values = dict(info.headers)
    preset["headers"] = {
        "user_agent": values.get("user-agent", ""),
        "values": {n: v for n, v in info.headers if n != "user-agent"},
        "order": [{"key": n, "value": "" if n == "user-agent" else v} for n, v in info.headers],
    }
    preset["protocols"] = {"h3": not info.disable_http3}
    if info.extra_fp:
        preset["extra_fp"] = info.extra_fp
    return json.dumps({"version": 1, "preset": preset}, indent=2)
