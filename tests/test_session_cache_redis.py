"""Beyond one machine: worker processes share TLS sessions through a real Redis server
(Debian's redis-server, started on loopback). A fresh process resumes TLS with the ticket
another process stored. A missing redis-server or redis client fails the test, saying
what to install: it is never skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from servers import RedisServer, TestServer

# Needs Debian's redis-server: run with `python -m pytest -m redis` (.ci/run installs it).
pytestmark = pytest.mark.redis

WORKER = textwrap.dedent(
    """
    import json, sys
    import redis
    import httpcloak
    url, ca, redis_url = sys.argv[1:4]
    store = redis.Redis.from_url(redis_url)
    errors = []
    httpcloak.configure_session_cache(
        get=store.get,
        put=lambda key, value, ttl: store.setex(key, ttl, value),
        delete=store.delete,
        on_error=lambda *failure: errors.append(failure),
    )
    with httpcloak.Session(preset="chrome-133", verify=ca) as s:  # the key names it
        seen = s.get(url).json()
    httpcloak.clear_session_cache()  # the put runs in the background: hand it over first
    print(json.dumps({"seen": seen, "errors": errors}))
    """
)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    try:
        import redis  # noqa: F401
    except ImportError:
        pytest.fail("the Python client `redis` is missing: pip install -e '.[dev]'")
    try:
        running = RedisServer.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    with running:
        yield running.url


def run_worker(url: str, ca: str, redis_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", WORKER, url, ca, redis_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["errors"] == []
    return result


def test_a_process_resumes_tls_with_a_ticket_another_process_stored_in_redis(
    server: TestServer, redis_url: str, ca_trust_tag: str
) -> None:
    import redis

    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint"  # SNI is sent

    first = run_worker(url, server.ca, redis_url)["seen"]
    assert not first["psk"] and not first["resumed"]
    key = f"httpcloak:sessions:Chrome-133:{ca_trust_tag}:localhost"
    assert store.keys("httpcloak:*") == [key.encode()]
    assert 0 < int(store.ttl(key)) <= 86400
    assert set(json.loads(store.get(key) or b"{}")) == {"ticket", "state", "created_at"}

    second = run_worker(url, server.ca, redis_url)["seen"]
    assert second["psk"], "process B's ClientHello has no pre_shared_key"
    assert second["resumed"], "the server did not resume the session process A stored"
    assert second["extensions"][-1] == 41  # pre_shared_key, last as TLS 1.3 requires
