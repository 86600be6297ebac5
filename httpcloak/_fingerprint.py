"""Custom fingerprints: the ``ja3``, ``akamai`` and ``extra_fp`` session options.

- ``ja3``: ``"771,ciphers,extensions,groups,point_formats"`` (decimal, ``-``-joined) shapes
  the TLS ClientHello. GREASE values (0x0a0a, 0x1a1a...) may appear and are sent as fresh
  GREASE; JA3 fingerprints are computed without them.
- ``akamai``: ``"SETTINGS|WINDOW_UPDATE|PRIORITY|m,a,s,p"`` shapes the HTTP/2 preface.
- ``extra_fp``: ClientHello details JA3 leaves out. Keys: ``tls_signature_algorithms``,
  ``tls_delegated_credential_algorithms``, ``tls_key_share_curves``,
  ``tls_supported_versions`` (lists of names), ``tls_cert_compression`` (a name or a
  list), ``tls_alpn`` (list), ``tls_record_size_limit`` (int), ``tls_permute_extensions``
  (bool). Unknown keys and names raise ``InvalidArgument``.

Everything is validated by the engine when the session is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def fingerprint_options(
    ja3: str | None, akamai: str | None, extra_fp: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The session-options entries for a custom fingerprint (empty when none is given)."""
    out: dict[str, Any] = {}
    for name, value in (("ja3", ja3), ("akamai", akamai)):
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        out[name] = value
    if extra_fp is not None:
        if not isinstance(extra_fp, Mapping):
            raise TypeError(f"extra_fp must be a mapping, not {type(extra_fp).__name__}")
        out["extra_fp"] = dict(extra_fp)
    return out
