"""Every example under examples/ runs, as documented, against the loopback test server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted(
    p
    for p in (Path(__file__).resolve().parent.parent / "examples").glob("*.py")
    if not p.name.startswith("_")
)

EXPECTED_OUTPUT = {
    "stream_lines.py": "got 10 lines",
    "download_with_progress.py": "downloaded 67108864 bytes",
    "server_sent_events.py": "event=tick id=4",
    "ndjson_records.py": "4 record 4 of 5",
    "pipe_to_file_and_tar.py": "member hello.txt 6",
    "head_then_get.py": "streamed: 250000 matches",
    "cookie_jar.py": "sent back: {'hop': '1', 'session': 'abc'}",
    "http2_multiplexing.py": "protocol: h2",
    "errors_and_timeouts.py": "ConnectError:",
    "check_fingerprint.py": "chrome-latest   ja4=t13d1517h2_",
    "basic_requests.py": "status error: 404 Client Error",
    "auth_and_proxy.py": "refused, and the password stays hidden: True",
    "async_requests.py": "statuses: [200, 200, 200, 200, 200]",
    "uploads.py": "streamed body: 1000000 bytes",
    "local_proxy.py": "urllib via LocalProxy: ja4 t13d1517h2_8daaf6152771_cb7bf5808d99",
    "presets.py": "chrome-latest is chrome-",
    "sessions_and_cookies.py": "for /get: ['from_server', 'theme']",
    "session_resumption.py": "another process: {'resumed': True, 'cookies': {'visited': 'yes'}}",
    "proxy_switching.py": "via socks5 -> {'auth_failures': 0, 'http_connect': 1",
    "tls_only.py": "same ja4: True same akamai: True",
    "custom_fingerprints.py": "custom ja3 sent as given: True",
    "session_cache_redis.py": "worker 2 resumed: True psk: True",
    "fast_downloads.py": "the first buffer is still its own: True 1024",
    "quic_idle_timeout.py": "protocol: h3 h3",
    "refresh_and_key_log.py": "after refresh resumed: True",
    "warmup_and_fork.py": "cookie set in tab 0, visible in parent: True",
}


def test_every_example_has_an_expectation() -> None:
    assert {p.name for p in EXAMPLES} == set(EXPECTED_OUTPUT)


# Examples that need a program beyond Python and Go run with their marker (see .ci/run).
NEEDS = {"session_cache_redis.py": pytest.mark.redis}


@pytest.mark.parametrize(
    "example",
    [pytest.param(p, marks=NEEDS.get(p.name, ()), id=p.name) for p in EXAMPLES],
)
def test_example_runs(example: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert EXPECTED_OUTPUT[example.name] in done.stdout
