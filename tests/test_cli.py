"""The httpcloak command: output, exit codes, progress, pipes and Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from httpcloak.testing import TestServer

CLI = [sys.executable, "-m", "httpcloak"]


def cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_prints_the_body(server: TestServer) -> None:
    done = cli(f"{server.http}/stream/3")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 3


def test_verbose_shows_protocol_status_and_headers(server: TestServer) -> None:
    done = cli("-v", "--cacert", server.ca, f"{server.https}/bytes/5")
    assert done.returncode == 0
    assert done.stderr.startswith("h2 200 OK")
    assert "content-length: 5" in done.stderr


def test_events_and_lines_print_as_records(server: TestServer) -> None:
    events = cli("--events", f"{server.http}/sse?count=3&interval=0.05")
    assert [json.loads(line)["id"] for line in events.stdout.splitlines()] == ["0", "1", "2"]
    lines = cli("--lines", f"{server.http}/ndjson?count=4")
    assert [json.loads(line)["i"] for line in lines.stdout.splitlines()] == [0, 1, 2, 3]


def test_output_file_with_progress(server: TestServer, tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    known = cli("-o", str(target), f"{server.http}/bytes/300000")
    assert known.returncode == 0 and target.stat().st_size == 300000
    assert "100.0%" in known.stderr
    unknown = cli("-o", str(target), f"{server.http}/stream-bytes/300000")
    assert unknown.returncode == 0 and target.stat().st_size == 300000
    assert "%" not in unknown.stderr and "KiB" in unknown.stderr


def test_progress_of_a_compressed_body_has_no_total(server: TestServer, tmp_path: Path) -> None:
    # content_length counts the encoded bytes, the file gets the decoded ones.
    target = tmp_path / "out.txt"
    done = cli("-o", str(target), f"{server.http}/compressed?encoding=gzip&size=2000000")
    assert done.returncode == 0 and target.stat().st_size == 2000000
    assert "%" not in done.stderr and "MiB" in done.stderr


def test_post_data_from_file(server: TestServer, tmp_path: Path) -> None:
    body = tmp_path / "body.bin"
    body.write_bytes(b"\x00hello\r\n")
    done = cli("-d", f"@{body}", "-H", "X-Test: yes", f"{server.http}/anything")
    echoed = json.loads(done.stdout)
    assert echoed["method"] == "POST" and echoed["body_len"] == 8
    assert echoed["headers"]["X-Test"] == ["yes"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["http://no-such-host.invalid/"], 6),
        (["http://127.0.0.1:9/"], 7),
        (["{http}/truncated?length=100&send=10"], 18),
        (["{https}/get"], 35),
        (["--timeout", "0.5", "{http}/stall?after=1"], 28),
        (["-L", "{http}/redirect/3"], 0),
        (["-f", "{http}/status/404"], 22),
        (["ftp://x/"], 2),
        (["--preset", "netscape", "{http}/get"], 2),
        (["-H", "Bad Name: x", "{http}/get"], 2),
        (["--timeout", "0", "{http}/get"], 2),
        (["--lines", "--events", "{http}/get"], 2),
        (["-d", "@/nonexistent/body.json", "{http}/anything"], 26),
        (["-o", "/nonexistent/dir/out.bin", "{http}/get"], 23),
    ],
)
def test_exit_codes(server: TestServer, args: list[str], code: int) -> None:
    filled = [a.format(http=server.http, https=server.https) for a in args]
    done = cli(*filled)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr


def test_piped_to_head_ends_quietly(server: TestServer) -> None:
    pipeline = subprocess.run(
        f"{' '.join(CLI)} {server.http}/big/100000000 | head -c 10",
        shell=True,
        capture_output=True,
        timeout=30,
    )
    assert pipeline.stdout == bytes((i * 7) % 251 for i in range(10))
    assert b"Traceback" not in pipeline.stderr and b"Broken" not in pipeline.stderr


def test_ctrl_c_exits_130(server: TestServer) -> None:
    child = subprocess.Popen(
        [*CLI, f"{server.http}/stall?after=5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert child.stdout.read(5)
        child.send_signal(signal.SIGINT)
        started = time.monotonic()
        assert child.wait(timeout=5) == 130
        assert time.monotonic() - started < 1
    finally:
        child.kill()
        child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def test_fingerprint_shows_the_preset() -> None:
    done = cli("--fingerprint", "--preset", "firefox-latest")
    assert done.returncode == 0
    assert done.stdout.startswith("preset firefox-latest (alias of firefox-148)")
    assert "user-agent: Mozilla/5.0" in done.stdout


def test_output_dash_is_stdout_and_events_warn_off_sse(server: TestServer) -> None:
    done = cli("-o", "-", f"{server.http}/bytes/10")
    assert done.returncode == 0 and len(done.stdout) == 10
    done = cli("--events", f"{server.http}/get")
    assert done.returncode == 0 and "not text/event-stream" in done.stderr
