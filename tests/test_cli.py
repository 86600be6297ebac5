"""The httpcloak command: output, exit codes, progress, pipes and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from servers import TestServer

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
    assert done.stdout.startswith("preset firefox-latest (alias of firefox-153-linux)")
    assert "user-agent: Mozilla/5.0" in done.stdout


def test_output_dash_is_stdout_and_events_warn_off_sse(server: TestServer) -> None:
    done = cli("-o", "-", f"{server.http}/bytes/10")
    assert done.returncode == 0 and len(done.stdout) == 10
    done = cli("--events", f"{server.http}/get")
    assert done.returncode == 0 and "not text/event-stream" in done.stderr


PREVIOUS = b"the previous download\n"


def _prefilled(tmp_path: Path) -> Path:
    target = tmp_path / "out.bin"
    target.write_bytes(PREVIOUS)
    target.chmod(0o640)
    return target


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["-f", "{http}/status/500"], 22),
        (["-f", "-L", "{http}/redirect-to?url=/status/404"], 22),
        (["{http}/truncated?length=100000&send=50000"], 18),
        (["--timeout", "0.5", "{http}/stall?after=1000"], 28),
        (["{http}/compressed?encoding=gzip&size=200000&truncate=1"], 18),
    ],
)
def test_a_failed_download_leaves_the_output_file_untouched(
    server: TestServer, tmp_path: Path, args: list[str], code: int
) -> None:
    target = _prefilled(tmp_path)
    done = cli("-o", str(target), *[a.format(http=server.http) for a in args])
    assert done.returncode == code, done.stderr
    assert target.read_bytes() == PREVIOUS
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]  # no temporary file left
    assert done.stdout == ""


def test_fail_writes_no_body_to_stdout_either(server: TestServer) -> None:
    done = cli("-f", f"{server.http}/status/500")
    assert (done.returncode, done.stdout) == (22, "")
    assert "500" in done.stderr


def test_a_complete_download_replaces_the_output_file(server: TestServer, tmp_path: Path) -> None:
    target = _prefilled(tmp_path)
    done = cli("-f", "-o", str(target), f"{server.http}/bytes/300000")
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == bytes((i * 7) % 251 for i in range(300000))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # keeps its permissions
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    # Without -f an error page is a download like any other, as in curl.
    assert cli("-o", str(target), f"{server.http}/status/500").returncode == 0
    assert target.read_bytes() == b"status 500\n"


def test_output_through_a_link_replaces_its_target(server: TestServer, tmp_path: Path) -> None:
    real = _prefilled(tmp_path)
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    assert cli("-o", str(link), f"{server.http}/bytes/10").returncode == 0
    assert link.is_symlink() and len(real.read_bytes()) == 10


def test_output_to_dev_null_writes_into_the_device(server: TestServer) -> None:
    # A device cannot be renamed over (and as root, must not be replaced by a file).
    before = os.stat("/dev/null")
    assert cli("-o", "/dev/null", f"{server.http}/bytes/1000").returncode == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (
        before.st_ino,
        before.st_rdev,
    )


def test_ctrl_c_during_a_download_leaves_the_output_file_untouched(
    server: TestServer, tmp_path: Path
) -> None:
    target = _prefilled(tmp_path)
    child = subprocess.Popen(
        [*CLI, "-o", str(target), f"{server.http}/stall?after=200000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        # Wait until the body is being written into the temporary file (bytes on disk).
        while not any(p.stat().st_size for p in tmp_path.iterdir() if p != target):
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=10) == 130
    finally:
        child.kill()
        child.wait()
    assert target.read_bytes() == PREVIOUS
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


CHROMIUM_CAPTURE = (
    Path(__file__).parent / "fixtures/browsers/chromium-156.0.8078.129/launch-1/conn-000002.json"
)


def test_fingerprint_compare_shows_each_field_against_a_capture(server: TestServer) -> None:
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint/full"
    done = cli("--fingerprint", "--compare", str(CHROMIUM_CAPTURE), "--cacert", server.ca, url)
    lines = done.stdout.splitlines()
    assert "=  ja4: t13d1517h2_8daaf6152771_cb7bf5808d99" in lines
    assert any(line.startswith("=  akamai: 1:65536;2:0;4:6291456;6:262144") for line in lines)
    assert "~  extension order:" in lines  # Chrome permutes it: shown, never counted
    # Google's Chrome adds its brand to Chromium's: the one field that differs, and says so.
    assert "!= header sec-ch-ua:" in lines
    assert lines[-1] == "1 field(s) differ"
    assert done.returncode == 1


def test_fingerprint_compare_needs_an_endpoint_and_a_readable_capture(tmp_path: Path) -> None:
    missing_url = cli("--fingerprint", "--compare", str(CHROMIUM_CAPTURE))
    assert missing_url.returncode == 2 and "/fingerprint/full" in missing_url.stderr
    unreadable = cli("--fingerprint", "--compare", str(tmp_path / "none.json"), "https://x/")
    assert unreadable.returncode == 26 and "cannot read the capture" in unreadable.stderr
