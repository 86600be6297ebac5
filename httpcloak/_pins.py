"""Certificate pinning (go/internal/engine/certpin.go), as the upstream Go API names it:
PinCertificate(hash, ForHost(h), IncludeSubdomains()), PinCertificateFromFile, ClearPins,
GetPins."""

from __future__ import annotations

import os

from . import _abi
from ._abi_types import CertificatePin


class CertificatePins:
    """Pins of a live session: a connection to a pinned host succeeds only when a key of
    its certificate chain is pinned. Checked in the TLS handshake, before the request is
    sent, also with verify=False (then a pin is the only check); a mismatch is a TLSError.
    Pins apply to origins (HTTP/1.1, HTTP/2 and HTTP/3), not to an https:// proxy; adding
    or clearing one drops pooled connections. Not saved by marshal()."""

    def _live_handle(self) -> int:  # provided by BaseSession
        raise NotImplementedError

    def pin_certificate(
        self, pin: str, host: str | None = None, include_subdomains: bool = False
    ) -> None:
        """Pin a public key: "sha256/<base64>", base64 or 64 hex digits of the SHA-256 of
        the certificate's SubjectPublicKeyInfo (`openssl x509 -pubkey -noout | openssl pkey
        -pubin -outform der | openssl dgst -sha256 -binary | base64`). host=None pins
        every host; include_subdomains extends a host's pin to its subdomains."""
        _check_pin_args(pin, host, include_subdomains)
        _abi.pins_add(self._live_handle(), pin=pin, host=host or "", subdomains=include_subdomains)

    def pin_certificate_from_file(
        self,
        path: str | os.PathLike[str],
        host: str | None = None,
        include_subdomains: bool = False,
    ) -> None:
        """Pin the public key of the (first) certificate in a PEM file."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a path, not {type(path).__name__}")
        _check_pin_args("", host, include_subdomains)
        _abi.pins_add(
            self._live_handle(),
            file=os.fspath(path),
            host=host or "",
            subdomains=include_subdomains,
        )

    def clear_pins(self) -> None:
        """Remove every pin."""
        _abi.pins_clear(self._live_handle())

    def get_pins(self) -> list[CertificatePin]:
        """The pins, in the order added, each as "sha256/<base64>"."""
        return _abi.pins_list(self._live_handle())


def _check_pin_args(pin: object, host: object, include_subdomains: object) -> None:
    if not isinstance(pin, str):
        raise TypeError(f"pin must be a str, not {type(pin).__name__}")
    if host is not None and not isinstance(host, str):
        raise TypeError(f"host must be a str or None, not {type(host).__name__}")
    if not isinstance(include_subdomains, bool):
        raise TypeError(
            f"include_subdomains must be a bool, not {type(include_subdomains).__name__}"
        )
