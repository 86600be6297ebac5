"""nginx from Debian as a second, independent server: plain HTTP/1.1 and TLS + HTTP/2 on
random loopback ports, a generated config in a temp dir, run as our non-daemon child."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import certs

BIG = "big.bin"
SMALL = "64k.bin"
START_SECONDS = 15

CONFIG = """\
worker_processes auto;
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{http_port};
        root {d}/www;
    }}
    server {{
        listen 127.0.0.1:{https_port} {tls_listen};
        {http2_directive}
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        root {d}/www;
    }}
}}
"""


def find_or_install(log: Callable[[str], None]) -> tuple[str | None, str]:
    """(path of the nginx binary, "") or (None, why there is none)."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )
    if found:
        return found, ""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "nginx is not installed and apt-get (as root) is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log("apt-get update, then apt-get install -y nginx-light")
    reason = ["no output"]
    try:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
        for package in ("nginx-light", "nginx"):
            done = subprocess.run(
                ["apt-get", "install", "-y", package],
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            found = shutil.which("nginx") or (
                "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
            )
            if done.returncode == 0 and found:
                return found, ""
            reason = done.stderr.strip().splitlines()[-1:] or reason
    except subprocess.TimeoutExpired:
        return None, "apt-get timed out"
    return None, f"apt-get install nginx-light / nginx failed: {reason[0]}"


def version(binary: str) -> tuple[int, ...]:
    done = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=30)
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", done.stderr + done.stdout)
    return tuple(int(n) for n in found.groups()) if found else (0, 0, 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Nginx:
    http: str  # plain HTTP/1.1 base URL
    https: str  # TLS base URL, HTTP/2 by ALPN
    ca: str
    process: subprocess.Popen[bytes]
    directory: Path

    @classmethod
    def start(cls, binary: str, big_size: int, small_size: int) -> Nginx:
        """Serve BIG (big_size zero bytes, a sparse file) and SMALL from a new temp dir."""
        directory = Path(tempfile.mkdtemp(prefix="httpcloak-bench-nginx-"))
        www = directory / "www"
        www.mkdir(parents=True)
        (directory / "tmp").mkdir()
        with open(www / BIG, "wb") as big:
            big.truncate(big_size)
        (www / SMALL).write_bytes(os.urandom(small_size))
        # Workers run as nobody when we are root: the tree must be readable to them.
        for path in (directory, www, www / BIG, www / SMALL):
            path.chmod(0o755 if path.is_dir() else 0o644)
        cert = certs.make(directory)
        new_syntax = version(binary) >= (1, 25, 1)  # `http2 on;` replaced `listen ... http2`
        http_port, https_port = _free_port(), _free_port()
        conf = directory / "nginx.conf"
        conf.write_text(
            CONFIG.format(
                d=directory,
                http_port=http_port,
                https_port=https_port,
                tls_listen="ssl" if new_syntax else "ssl http2",
                http2_directive="http2 on;" if new_syntax else "",
                cert=cert.cert,
                key=cert.key,
            )
        )
        with open(directory / "stderr.log", "wb") as stderr:
            process = subprocess.Popen(
                [binary, "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
            )
        server = cls(
            f"http://127.0.0.1:{http_port}",
            f"https://127.0.0.1:{https_port}",
            str(cert.ca),
            process,
            directory,
        )
        deadline = time.monotonic() + START_SECONDS
        while not (_listening(http_port) and _listening(https_port)):
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"nginx did not start: {server.log_tail()}")
            time.sleep(0.05)
        return server

    def log_tail(self) -> str:
        lines: list[str] = []
        for name in ("stderr.log", "error.log"):
            path = self.directory / name
            if path.exists():
                lines += path.read_text(errors="replace").strip().splitlines()[-3:]
        return " / ".join(lines) or "no log"

    def stop(self) -> None:
        """SIGTERM to the master (it stops its workers), SIGKILL if it lingers; then the
        temp dir goes."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
