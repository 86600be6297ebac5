"""Workers that share TLS sessions through Redis: the second worker, a fresh process,
resumes the TLS session the first one stored (its ClientHello carries pre_shared_key).

Runs against the loopback test server and a redis-server it starts on 127.0.0.1 (Debian:
`apt-get install -y redis-server`), or the Redis at $REDIS_URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import redis

import httpcloak

from _runner import RedisServer, TestServer


def worker(url: str, ca: str, redis_url: str) -> None:
    """One worker process: share TLS sessions through Redis, then make a request."""
    store = redis.Redis.from_url(redis_url)
    httpcloak.configure_session_cache(
        get=store.get,  # bytes or None
        put=lambda key, value, ttl_seconds: store.setex(key, ttl_seconds, value),
        delete=store.delete,
        on_error=lambda op, key, error: print(f"cache {op} {key}: {error}", file=sys.stderr),
    )
    with httpcloak.Session(preset="chrome-latest", verify=ca) as s:
        seen = s.get(url).json()
    httpcloak.clear_session_cache()  # hands over the puts still running before exit
    print(json.dumps({"psk": seen["psk"], "resumed": seen["resumed"]}))


def run_worker(url: str, ca: str, redis_url: str) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, __file__, "worker", url, ca, redis_url],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, bool] = json.loads(done.stdout)
    return result


def main(redis_url: str) -> None:
    with TestServer.start() as server:
        # By host name, so SNI is sent and the ticket is filed under it.
        url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint"
        first = run_worker(url, server.ca, redis_url)
        print("worker 1 resumed:", first["resumed"])
        listing = redis.Redis.from_url(redis_url, decode_responses=True)
        keys = sorted(str(k) for k in listing.keys("httpcloak:*"))
        print("in Redis:", keys)
        second = run_worker(url, server.ca, redis_url)
        print("worker 2 resumed:", second["resumed"], "psk:", second["psk"])


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(*sys.argv[2:5])
    elif os.environ.get("REDIS_URL"):
        main(os.environ["REDIS_URL"])
    else:
        with RedisServer.start() as redis_server:
            main(redis_server.url)
