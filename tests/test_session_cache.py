"""The shared TLS session cache (SessionCacheBackend): a session resumes TLS with a ticket
another session put in the backend; a backend that raises, hangs or hands back garbage
costs the resumption, never the request; the key keeps fingerprints apart. A dict is the
store here; tests/test_session_cache_redis.py shares tickets between processes."""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import httpcloak

from servers import TestServer

# Keys name the ClientHello, so the tests pin a preset (chrome-latest moves on).
PRESET = "chrome-133"


@pytest.fixture
def key(ca_trust_tag: str) -> str:
    """The key of the test server's session: sessions here trust its CA (verify=ca)."""
    return f"httpcloak:sessions:Chrome-133:{ca_trust_tag}:localhost"


@pytest.fixture(autouse=True)
def no_backend_left() -> Iterator[None]:
    yield
    httpcloak.clear_session_cache()


@pytest.fixture
def url(server: TestServer) -> str:
    return server.https.replace("127.0.0.1", "localhost") + "/fingerprint"  # SNI is sent


class DictStore:
    """A thread-safe dict behind the backend's functions, recording what it was asked."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self.ttls: dict[str, int] = {}
        self.gets: list[str] = []
        self.errors: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            self.gets.append(key)
            return self.data.get(key)

    def put(self, key: str, value: str, ttl_seconds: int) -> None:
        with self.lock:
            self.data[key] = value
            self.ttls[key] = ttl_seconds

    def delete(self, key: str) -> None:
        with self.lock:
            self.data.pop(key, None)

    def on_error(self, operation: str, key: str, error: str) -> None:
        with self.lock:
            self.errors.append((operation, key, error))

    def backend(self, **kwargs: Any) -> httpcloak.SessionCacheBackend:
        functions: dict[str, Any] = {
            "get": self.get,
            "put": self.put,
            "delete": self.delete,
            "on_error": self.on_error,
        }
        functions.update(kwargs)
        return httpcloak.SessionCacheBackend(**functions)


def fingerprint(server: TestServer, url: str, **options: Any) -> dict[str, Any]:
    options.setdefault("preset", PRESET)
    with httpcloak.Session(verify=server.ca, **options) as s:
        seen: dict[str, Any] = s.get(url).json()
    return seen


def filled_store(server: TestServer, url: str, key: str) -> DictStore:
    """A store holding the ticket of one session to the test server."""
    store = DictStore()
    httpcloak.configure_session_cache(store.backend())
    assert not fingerprint(server, url)["resumed"]
    httpcloak.clear_session_cache()  # waits for the put running in the background
    assert list(store.data) == [key]
    return store


def test_a_new_session_resumes_with_the_ticket_another_put(
    server: TestServer, url: str, key: str
) -> None:
    store = filled_store(server, url, key)
    value = json.loads(store.data[key])
    assert set(value) == {"ticket", "state", "created_at"}
    assert base64.b64decode(value["ticket"]) and base64.b64decode(value["state"])
    assert store.ttls[key] == 86400

    before = httpcloak.session_cache_stats()
    backend = httpcloak.configure_session_cache(store.backend())
    assert backend.registered
    seen = fingerprint(server, url)
    assert seen["psk"], "the ClientHello has no pre_shared_key"
    assert seen["resumed"], "the server did not resume the shared TLS session"
    after = httpcloak.session_cache_stats()
    assert after["configured"] and after["hits"] == before["hits"] + 1
    assert store.errors == []


def test_keyword_functions_and_ttl(server: TestServer, url: str, key: str) -> None:
    store = DictStore()
    backend = httpcloak.configure_session_cache(get=store.get, put=store.put, ttl=60)
    fingerprint(server, url)
    httpcloak.clear_session_cache()
    assert not backend.registered
    assert store.ttls == {key: 60}


def test_a_get_that_raises_is_a_miss_and_reported(server: TestServer, url: str, key: str) -> None:
    store = filled_store(server, url, key)

    def broken(name: str) -> str | None:
        raise RuntimeError("backend down")

    httpcloak.configure_session_cache(store.backend(get=broken))
    seen = fingerprint(server, url)
    assert not seen["psk"] and not seen["resumed"]
    assert ("get", key, "RuntimeError: backend down") in store.errors


def test_a_get_that_hangs_is_a_miss_after_the_timeout(
    server: TestServer, url: str, key: str
) -> None:
    store = filled_store(server, url, key)
    release = threading.Event()

    def hanging(name: str) -> str | None:
        release.wait(30)
        return store.get(name)

    before = httpcloak.session_cache_stats()
    httpcloak.configure_session_cache(store.backend(get=hanging, timeout=0.2))
    try:
        seen = fingerprint(server, url)
    finally:
        release.set()
    assert not seen["psk"] and not seen["resumed"]
    assert httpcloak.session_cache_stats()["timeouts"] == before["timeouts"] + 1
    httpcloak.clear_session_cache()
    assert [e[:2] for e in store.errors] == [("get", key)]
    assert "no answer within 200ms" in store.errors[0][2]


def test_a_malformed_value_is_a_miss_and_reported(server: TestServer, url: str, key: str) -> None:
    store = DictStore()
    store.data[key] = '{"ticket": "AAAA", "state": "AAAA"}'
    httpcloak.configure_session_cache(store.backend())
    seen = fingerprint(server, url)
    assert not seen["resumed"]
    assert any(op == "get" and "malformed TLS session" in e for op, _, e in store.errors)


def test_a_put_that_raises_is_reported_never_raised(server: TestServer, url: str, key: str) -> None:
    store = DictStore()

    def broken(name: str, value: str, ttl_seconds: int) -> None:
        raise ConnectionError("store unreachable")

    httpcloak.configure_session_cache(store.backend(put=broken))
    assert fingerprint(server, url)["tls"]
    httpcloak.clear_session_cache()
    assert store.errors == [("put", key, "ConnectionError: store unreachable")]


def test_failures_are_logged_without_on_error(
    server: TestServer, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(name: str) -> str | None:
        raise RuntimeError("no store")

    httpcloak.configure_session_cache(get=broken)
    with caplog.at_level(logging.WARNING, logger="httpcloak"):
        fingerprint(server, url)
    assert any("no store" in r.getMessage() for r in caplog.records)


def test_another_fingerprint_gets_another_key(server: TestServer, url: str, key: str) -> None:
    store = filled_store(server, url, key)
    httpcloak.configure_session_cache(store.backend())
    store.gets.clear()
    seen = fingerprint(server, url, extra_fp={"tls_alpn": ["http/1.1"]})
    assert not seen["resumed"]
    assert len(store.gets) == 1
    assert store.gets[0].startswith("httpcloak:sessions:httpcloak-custom-")
    assert store.gets[0].endswith(":localhost")


# Trust settings: a ticket made under one session's certificate checks never lets another
# session skip its own.


def test_a_session_that_would_reject_the_server_never_resumes_its_shared_ticket(
    server: TestServer, url: str, key: str
) -> None:
    store = filled_store(server, url, key)  # made by sessions with verify=<the test CA>
    httpcloak.configure_session_cache(store.backend())
    store.gets.clear()
    with httpcloak.Session(preset=PRESET) as strict:  # the system's roots: no test CA
        with pytest.raises(httpcloak.TLSError):
            strict.get(url)
    with httpcloak.Session(preset=PRESET, verify=False) as insecure:
        assert not insecure.get(url).json()["resumed"]
    assert store.gets == [
        "httpcloak:sessions:Chrome-133:system:localhost",
        "httpcloak:sessions:Chrome-133:insecure:localhost",
    ]


def test_a_ticket_under_another_trust_key_is_verified_before_it_is_resumed(
    server: TestServer, url: str, key: str
) -> None:
    store = filled_store(server, url, key)
    planted = "httpcloak:sessions:Chrome-133:system:localhost"
    store.data[planted] = store.data[key]  # as a writer to the store could
    httpcloak.configure_session_cache(store.backend())
    with httpcloak.Session(preset=PRESET) as strict:
        with pytest.raises(httpcloak.TLSError):
            strict.get(url)
    ((operation, where, error),) = store.errors
    assert (operation, where) == ("get", planted)
    assert "does not verify with this session's trust settings" in error


# Entry authentication: an HMAC key the whole fleet shares.

HMAC_KEY = b"fleet-secret-0123456789"


def test_with_an_hmac_key_values_carry_a_mac_and_resume(
    server: TestServer, url: str, key: str
) -> None:
    store = DictStore()
    httpcloak.configure_session_cache(store.backend(hmac_key=HMAC_KEY))
    fingerprint(server, url)
    httpcloak.clear_session_cache()
    value = json.loads(store.data[key])
    assert set(value) == {"ticket", "state", "created_at", "mac"}
    httpcloak.configure_session_cache(store.backend(hmac_key=bytearray(HMAC_KEY)))
    assert fingerprint(server, url)["resumed"]
    assert store.errors == []


@pytest.mark.parametrize("writer_key", [None, b"another-fleet-0123456789"])
def test_with_an_hmac_key_values_anyone_else_wrote_are_refused(
    server: TestServer, url: str, key: str, writer_key: bytes | None
) -> None:
    store = DictStore()
    httpcloak.configure_session_cache(store.backend(hmac_key=writer_key))
    fingerprint(server, url)
    httpcloak.clear_session_cache()
    httpcloak.configure_session_cache(store.backend(hmac_key=HMAC_KEY))
    seen = fingerprint(server, url)
    assert not seen["psk"] and not seen["resumed"]
    assert [(op, where) for op, where, _ in store.errors] == [("get", key)]
    assert "failed authentication" in store.errors[0][2]


def test_an_authenticated_value_moved_to_another_key_is_refused(
    server: TestServer, url: str, key: str
) -> None:
    store = DictStore()
    httpcloak.configure_session_cache(store.backend(hmac_key=HMAC_KEY))
    fingerprint(server, url)
    httpcloak.clear_session_cache()
    value = store.data.pop(key)
    other_port_url = url.replace("localhost", "127.0.0.1")  # no SNI: keyed by the IP
    store.data[key.replace("localhost", "127.0.0.1")] = value
    httpcloak.configure_session_cache(store.backend(hmac_key=HMAC_KEY))
    assert not fingerprint(server, other_port_url)["resumed"]
    assert any("failed authentication" in error for _, _, error in store.errors)


def test_bad_hmac_keys() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="16 to 1024 bytes"):
        httpcloak.SessionCacheBackend(hmac_key=b"short")
    with pytest.raises(TypeError, match="hmac_key must be bytes"):
        httpcloak.SessionCacheBackend(hmac_key="a text key of enough length")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not both"):
        httpcloak.configure_session_cache(httpcloak.SessionCacheBackend(), hmac_key=HMAC_KEY)


def test_cleared_backend_is_not_asked(server: TestServer, url: str) -> None:
    store = DictStore()
    httpcloak.configure_session_cache(store.backend())
    httpcloak.clear_session_cache()
    assert not httpcloak.session_cache_stats()["configured"]
    fingerprint(server, url)
    assert store.gets == [] and store.data == {}


def test_bad_arguments() -> None:
    with pytest.raises(httpcloak.InvalidArgument, match="ECH"):
        httpcloak.SessionCacheBackend(get_ech=lambda key: None)
    with pytest.raises(httpcloak.InvalidArgument, match="timeout"):
        httpcloak.SessionCacheBackend(timeout=0)
    with pytest.raises(httpcloak.InvalidArgument, match="ttl"):
        httpcloak.SessionCacheBackend(ttl=0)
    with pytest.raises(TypeError, match="get must be callable"):
        httpcloak.SessionCacheBackend(get="redis")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not both"):
        httpcloak.configure_session_cache(httpcloak.SessionCacheBackend(), get=lambda k: None)


FORK_CHILD = textwrap.dedent(
    """
    import os, httpcloak
    store = {}
    backend = httpcloak.configure_session_cache(get=store.get)
    pid = os.fork()
    if pid == 0:
        outcomes = []
        for attempt in (lambda: httpcloak.configure_session_cache(get=store.get),
                        httpcloak.clear_session_cache):
            try:
                attempt()
                outcomes.append("worked")
            except httpcloak.ForkedProcessError:
                outcomes.append("refused")
        # Were the dead engine to call the backend here, it would act as a miss.
        null = httpcloak._ffi.ffi.NULL
        c_get = httpcloak._abi._cache_callbacks_alive[-1][0]  # what the engine calls
        outcomes.append(str(c_get(null, 0, null, 0)))
        print(",".join(outcomes), flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    httpcloak.clear_session_cache()
    print("parent fine", flush=True)
    """
)


def test_a_forked_child_refuses_and_its_callbacks_do_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", FORK_CHILD],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.stdout.splitlines() == ["refused,refused,-1", "parent fine"], done.stderr
