"""Start the project's loopback test server (go/testserver) from a source checkout.

Used by the test suite, the examples and the benchmarks:

    with TestServer.start() as server:
        url = server.http + "/stream/10"

and a throwaway Redis server on loopback (Debian's ``redis-server``), for the shared TLS
session cache's tests and example:

    with RedisServer.start() as redis_server:
        url = redis_server.url  # redis://127.0.0.1:PORT/0
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

SOURCE_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 30


@dataclass
class TestServer:
    """A running test server; its stdin is our lifeline, so it dies with this process."""

    __test__ = False  # not a pytest test class

    http: str  # plain HTTP/1.1 base URL
    https: str  # TLS base URL (HTTP/1.1 and HTTP/2 by ALPN)
    h3: str  # HTTP/3 base URL
    ca: str  # path of the CA certificate that signed the server's certificate
    process: subprocess.Popen[bytes]
    http_proxy: str = ""  # HTTP CONNECT / forward proxy, without credentials
    socks5_proxy: str = ""  # SOCKS5 proxy, without credentials
    # The server's certificate chain and private key (one PEM file), for a test's own TLS
    # server that clients trusting `ca` accept.
    server_pem: str = ""

    # The proxies' fixed credentials (go/testserver/README.md).
    PROXY_USER = "proxyuser"
    PROXY_PASSWORD = "proxy-secret"

    def proxy_url(self, kind: str, user: str = PROXY_USER, password: str = PROXY_PASSWORD) -> str:
        """The proxy's URL with credentials: kind is "http" or "socks5"."""
        base = self.http_proxy if kind == "http" else self.socks5_proxy
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
            info.get("server_pem", ""),
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> TestServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


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
class RedisServer:
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
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False
