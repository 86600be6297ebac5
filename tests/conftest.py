"""Fixtures: one real test server on loopback for the whole run, fresh sessions per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import httpcloak
from httpcloak.testing import TestServer


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
