"""Fixtures: one real test server on loopback for the whole run, fresh sessions per test."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import httpcloak

from servers import TestServer


@pytest.fixture(scope="session")
def server() -> Iterator[TestServer]:
    with TestServer.start() as running:
        yield running


@pytest.fixture
def session(server: TestServer) -> Iterator[httpcloak.Session]:
    with httpcloak.Session(preset="chrome-latest", verify=server.ca) as s:
        yield s


@pytest.fixture(params=["http", "https"])
def base_url(request: pytest.FixtureRequest, server: TestServer) -> str:
    """Each test using it runs over plain HTTP/1.1 and over TLS + HTTP/2."""
    url: str = getattr(server, request.param)
    return url


@pytest.fixture
def ca_trust_tag(server: TestServer) -> str:
    """How shared TLS session cache keys name a session with verify=server.ca: "ca-" and
    the first 16 hex digits of the CA bundle's SHA-256."""
    return "ca-" + hashlib.sha256(Path(server.ca).read_bytes()).hexdigest()[:16]
