"""Certificate pinning by SPKI SHA-256 (pin_certificate, as upstream's PinCertificate):
checked in the TLS handshake, before the request leaves, with or without verify."""

from __future__ import annotations

import base64
import hashlib
import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import httpcloak

from servers import TestServer

PROTOCOLS = ["h1", "h2", "h3"]


def _element(der: bytes, at: int) -> tuple[int, int]:
    """(start of the contents, end) of the DER element at `at`."""
    size, head = der[at + 1], 2
    if size & 0x80:
        count = size & 0x7F
        size, head = int.from_bytes(der[at + 2 : at + 2 + count], "big"), 2 + count
    return at + head, at + head + size


def _children(der: bytes, at: int) -> list[int]:
    """Offsets of the elements inside the constructed element at `at`."""
    start, end = _element(der, at)
    out = []
    while start < end:
        out.append(start)
        start = _element(der, start)[1]
    return out


def _spki_pin(cert_der: bytes) -> str:
    """sha256/<base64> of a certificate's SubjectPublicKeyInfo (RFC 7469)."""
    tbs = _children(cert_der, 0)[0]
    fields = _children(cert_der, tbs)
    if cert_der[fields[0]] == 0xA0:  # [0] version
        fields = fields[1:]
    spki = fields[5]  # serial, signature, issuer, validity, subject, SPKI
    digest = hashlib.sha256(cert_der[spki : _element(cert_der, spki)[1]]).digest()
    return "sha256/" + base64.b64encode(digest).decode()


@pytest.fixture(scope="module")
def leaf_pin(server: TestServer) -> str:
    address = urlsplit(server.https)
    context = ssl.create_default_context(cafile=server.ca)
    assert address.hostname is not None and address.port is not None
    with (
        socket.create_connection((address.hostname, address.port)) as raw,
        context.wrap_socket(raw, server_hostname=address.hostname) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return _spki_pin(der)


def _url(server: TestServer, protocol: str) -> str:
    return f"{server.h3 if protocol == 'h3' else server.https}/get"


WRONG_PIN = "sha256/" + base64.b64encode(b"\x01" * 32).decode()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_right_pin_passes(server: TestServer, leaf_pin: str, protocol: str) -> None:
    with httpcloak.Session(verify=server.ca, http_version=protocol) as s:
        s.pin_certificate(leaf_pin, host="127.0.0.1")
        r = s.get(_url(server, protocol))
        assert r.ok and r.protocol == protocol


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("verify", [True, False])
def test_a_wrong_pin_fails_the_handshake(server: TestServer, protocol: str, verify: bool) -> None:
    with httpcloak.Session(verify=server.ca if verify else False, http_version=protocol) as s:
        s.pin_certificate(WRONG_PIN)
        with pytest.raises(httpcloak.TLSError, match="certificate pin mismatch for 127.0.0.1"):
            s.get(_url(server, protocol))


def test_verify_false_with_the_right_pin_passes(server: TestServer, leaf_pin: str) -> None:
    with httpcloak.Session(verify=False) as s:
        s.pin_certificate(leaf_pin)
        assert s.get(f"{server.https}/get").ok


def test_a_pin_of_the_trusted_root_passes(server: TestServer) -> None:
    """The chain verification built to the CA counts, as in Chrome: a root's key may be pinned."""
    with httpcloak.Session(verify=server.ca) as s:
        s.pin_certificate_from_file(server.ca, host="127.0.0.1")
        assert s.get(f"{server.https}/get").ok
        [pin] = s.get_pins()
        assert pin["host"] == "127.0.0.1" and pin["pin"].startswith("sha256/")


def test_pins_apply_to_their_host_only(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.pin_certificate(WRONG_PIN, host="example.com", include_subdomains=True)
        assert s.get(f"{server.https}/get").ok  # 127.0.0.1 is not example.com
        s.pin_certificate(WRONG_PIN, host="127.0.0.1")
        with pytest.raises(httpcloak.TLSError, match="pin mismatch"):
            s.get(f"{server.https}/get")


def test_a_pin_added_later_is_checked_on_a_pooled_host(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, http_version="h2") as s:
        assert s.get(f"{server.https}/get").ok  # a pooled HTTP/2 connection now
        s.pin_certificate(WRONG_PIN)
        with pytest.raises(httpcloak.TLSError, match="pin mismatch"):
            s.get(f"{server.https}/get")
        s.clear_pins()
        assert s.get_pins() == [] and s.get(f"{server.https}/get").ok


@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_pins_hold_through_a_proxy(server: TestServer, leaf_pin: str, kind: str) -> None:
    with httpcloak.Session(proxy=server.proxy_url(kind), verify=server.ca) as s:
        s.pin_certificate(leaf_pin)
        assert s.get(f"{server.https}/get").ok
        s.pin_certificate(WRONG_PIN, host="127.0.0.1")  # the leaf pin above still matches
        assert s.get(f"{server.https}/get").ok
        s.clear_pins()
        s.pin_certificate(WRONG_PIN)
        with pytest.raises(httpcloak.TLSError, match="pin mismatch"):
            s.get(f"{server.https}/get")


def test_the_forms_of_a_pin_are_one_pin(leaf_pin: str) -> None:
    raw = base64.b64decode(leaf_pin.removeprefix("sha256/"))
    with httpcloak.Session() as s:
        for form in (leaf_pin, leaf_pin.removeprefix("sha256/"), raw.hex(), "sha256:" + raw.hex()):
            s.pin_certificate(form)
        assert {p["pin"] for p in s.get_pins()} == {leaf_pin}


@pytest.mark.parametrize(
    ("pin", "host", "subdomains", "message"),
    [
        ("sha256/abc", None, False, "is not a SHA-256 hash"),
        ("zz" * 32, None, False, "is not a SHA-256 hash"),
        (WRONG_PIN, None, True, "include_subdomains needs a host"),
    ],
)
def test_bad_pins_are_invalid_arguments(
    pin: str, host: str | None, subdomains: bool, message: str
) -> None:
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match=message):
        s.pin_certificate(pin, host=host, include_subdomains=subdomains)


def test_a_file_without_a_certificate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.pem").write_text("not a certificate")
    with httpcloak.Session() as s, pytest.raises(httpcloak.InvalidArgument, match="no PEM"):
        s.pin_certificate_from_file(tmp_path / "x.pem")
