"""The loopback servers the tests, examples and benchmarks run against, from a source
checkout (this file is not part of the package: the wheel carries no Go source to build).

The project's test server, built from go/testserver with Go on first use (or the binary
named by $HTTPCLOAK_TESTSERVER):

    with TestServer.start() as server:
        url = server.http + "/stream/10"

a throwaway Redis server on loopback (Debian's ``redis-server``), for the shared TLS
session cache's tests and example:

    with RedisServer.start() as redis_server:
        url = redis_server.url  # redis://127.0.0.1:PORT/0

and a throwaway nginx (Debian's ``nginx-light``) as a strict third-party origin in front of
another server:

    with NginxServer.start(upstream=server.http) as nginx:
        url = nginx.url + "/anything"  # nginx reads the request, then proxies it upstream
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

SOURCE_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 30


class _StopsOnExit:
    """`with` for a server: stop() on the way out, whatever happened."""

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _wait_or_kill(process: subprocess.Popen[bytes]) -> None:
    """Give a process told to stop five seconds, then kill it."""
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class TestServer(_StopsOnExit):
    """A running test server; its stdin is our lifeline, so it dies with this process."""

    __test__ = False  # not a pytest test class

    http: str  # plain HTTP/1.1 base URL
    https: str  # TLS base URL (HTTP/1.1 and HTTP/2 by ALPN)
    h3: str  # HTTP/3 base URL
    ca: str  # path of the CA certificate that signed the server's certificate
    process: subprocess.Popen[bytes]
    http_proxy: str = ""  # HTTP CONNECT / forward proxy, without credentials
    socks5_proxy: str = ""  # SOCKS5 proxy, without credentials
    https_proxy: str = ""  # the HTTP proxy behind TLS (certificate signed by ca)
    # The server's certificate chain and private key (one PEM file), for a test's own TLS
    # server that clients trusting `ca` accept.
    server_pem: str = ""
    # An HTTPS server with an ECH key (GET /ech reports what it saw) and the DNS server
    # ("ip:port", UDP) publishing its ECH configuration (go/testserver/dns_server.go).
    ech: str = ""
    dns: str = ""

    # The proxies' fixed credentials (go/testserver/README.md).
    PROXY_USER = "proxyuser"
    PROXY_PASSWORD = "proxy-secret"

    def proxy_url(self, kind: str, user: str = PROXY_USER, password: str = PROXY_PASSWORD) -> str:
        """The proxy's URL with credentials: kind is "http", "https" or "socks5"."""
        base = {"http": self.http_proxy, "https": self.https_proxy, "socks5": self.socks5_proxy}[
            kind
        ]
        scheme, rest = base.split("://", 1)
        return f"{scheme}://{user}:{password}@{rest}"

    @classmethod
    def start(cls) -> TestServer:
        binary = _binary()
        process = subprocess.Popen(
            [str(binary)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("HTTPCLOAK_TESTSERVER_LOG") else subprocess.DEVNULL,
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise RuntimeError(f"the test server {binary} exited before announcing its ports")
        info = json.loads(line)
        return cls(
            info["http"],
            info["https"],
            info.get("h3", ""),
            info["ca"],
            process,
            info.get("http_proxy", ""),
            info.get("socks5_proxy", ""),
            info.get("https_proxy", ""),
            info.get("server_pem", ""),
            info.get("ech", ""),
            info.get("dns", ""),
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            _wait_or_kill(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _binary() -> Path:
    override = os.environ.get("HTTPCLOAK_TESTSERVER")
    if override:
        return Path(override)
    sys.path.insert(0, str(SOURCE_ROOT))
    try:
        import build_go
    except ImportError as error:
        raise RuntimeError(
            "the test server is built from a source checkout of httpcloak (go/testserver); "
            "set HTTPCLOAK_TESTSERVER to a built binary to use it elsewhere"
        ) from error
    finally:
        sys.path.remove(str(SOURCE_ROOT))
    return build_go.build_testserver()


REDIS_MISSING = (
    "redis-server is not installed (or not on PATH): install it, e.g. "
    "`apt-get install -y redis-server` on Debian/Ubuntu"
)


@dataclass
class RedisServer(_StopsOnExit):
    """A redis-server on 127.0.0.1, no persistence, stopped on exit."""

    __test__ = False

    url: str
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(REDIS_MISSING)
        for _ in range(3):  # the free port may be taken between probe and bind
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--protected-mode",
                    "yes",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while process.poll() is None and time.monotonic() < deadline:
                if _redis_answers(port):
                    return cls(f"redis://127.0.0.1:{port}/0", process)
                time.sleep(0.05)
            process.kill()
            process.wait()
        raise RuntimeError(f"{binary} did not start on 127.0.0.1")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            _wait_or_kill(self.process)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


NGINX_MISSING = (
    "nginx is not installed (or not on PATH): install it, e.g. "
    "`apt-get install -y nginx-light` on Debian/Ubuntu"
)


@dataclass
class NginxServer(_StopsOnExit):
    """An nginx on 127.0.0.1 that reads each request whole (its own strict HTTP/1.1 parser:
    a duplicate Content-Length is a 400) and proxies it to ``upstream``. Everything it
    writes lives in a temporary directory, removed on stop."""

    __test__ = False

    url: str
    process: subprocess.Popen[bytes]
    directory: tempfile.TemporaryDirectory[str]

    @classmethod
    def start(cls, upstream: str) -> NginxServer:
        binary = shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
        )
        if binary is None:
            raise RuntimeError(NGINX_MISSING)
        directory = tempfile.TemporaryDirectory(prefix="httpcloak-nginx-")
        for _ in range(3):  # the free port may be taken between probe and bind
            port = _free_port()
            config = Path(directory.name, "nginx.conf")
            config.write_text(_nginx_config(directory.name, port, upstream))
            process = subprocess.Popen(
                [binary, "-p", directory.name, "-c", str(config), "-e", "stderr"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while process.poll() is None and time.monotonic() < deadline:
                if _accepts(port):
                    return cls(f"http://127.0.0.1:{port}", process, directory)
                time.sleep(0.05)
            process.kill()
            process.wait()
        directory.cleanup()
        raise RuntimeError(f"{binary} did not start on 127.0.0.1")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown of master and worker
            _wait_or_kill(self.process)
        self.directory.cleanup()


def _nginx_config(prefix: str, port: int, upstream: str) -> str:
    # As root, nginx's worker would switch to "nobody", who cannot write the temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr;
events {{ worker_connections 64; }}
http {{
    access_log off;
    {temp}
    client_max_body_size 64m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
