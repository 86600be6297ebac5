"""A throwaway CA and a leaf for 127.0.0.1 / ::1 / localhost, for the nginx TLS listener.

Made with the openssl command, or with the cryptography package when openssl is missing.
A real CA plus leaf (not one self-signed leaf): rustls and BoringSSL refuse a CA
certificate presented as the server's own.
"""

from __future__ import annotations

import datetime
import importlib
import ipaddress
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEAF_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class ServerCert:
    ca: Path  # give this to clients
    cert: Path
    key: Path


def make(directory: Path) -> ServerCert:
    if shutil.which("openssl"):
        return _with_openssl(directory)
    return _with_cryptography(directory)


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def _with_openssl(d: Path) -> ServerCert:
    cert = ServerCert(d / "ca.pem", d / "server.pem", d / "server.key")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        str(d / "ca.key"),
        "-out",
        str(cert.ca),
        "-days",
        "7",
        "-subj",
        "/CN=httpcloak bench CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    _openssl(
        "req",
        *ec,
        "-keyout",
        str(cert.key),
        "-out",
        str(d / "server.csr"),
        "-subj",
        "/CN=127.0.0.1",
    )
    (d / "leaf.ext").write_text(LEAF_EXTENSIONS)
    _openssl(
        "x509",
        "-req",
        "-in",
        str(d / "server.csr"),
        "-CA",
        str(cert.ca),
        "-CAkey",
        str(d / "ca.key"),
        "-CAcreateserial",
        "-days",
        "7",
        "-extfile",
        str(d / "leaf.ext"),
        "-out",
        str(cert.cert),
    )
    return cert


def _with_cryptography(d: Path) -> ServerCert:
    # Imported by name: cryptography is optional, and absent where mypy runs in CI.
    x509: Any = importlib.import_module("cryptography.x509")
    hashes: Any = importlib.import_module("cryptography.hazmat.primitives.hashes")
    serialization: Any = importlib.import_module("cryptography.hazmat.primitives.serialization")
    ec: Any = importlib.import_module("cryptography.hazmat.primitives.asymmetric.ec")
    ExtendedKeyUsageOID = x509.oid.ExtendedKeyUsageOID
    NameOID = x509.oid.NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "httpcloak bench CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    names = [
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
        x509.DNSName("localhost"),
    ]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert = ServerCert(d / "ca.pem", d / "server.pem", d / "server.key")
    cert.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert.cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    cert.key.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert
