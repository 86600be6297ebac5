"""curl_cffi (libcurl-impersonate), impersonating Chrome, in its own venv."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import clientkit

curl_requests: Any = importlib.import_module("curl_cffi.requests")

# CURLINFO_HTTP_VERSION values
VERSIONS = {1: "HTTP/1.0", 2: "HTTP/1.1", 3: "HTTP/2", 30: "HTTP/3"}


class CurlCffi(clientkit.Adapter):
    name = "curl_cffi"
    thread_safe_session = False  # its docs: a Session is not thread-safe

    def session(self, job: clientkit.Job) -> Any:
        return curl_requests.Session(impersonate="chrome", verify=job.ca or True, timeout=600)

    def open(self, session: Any, url: str) -> Any:
        return session.get(url, stream=True)

    def protocol(self, response: Any) -> str:
        return VERSIONS.get(int(response.http_version), str(response.http_version))

    def drain(self, response: Any, chunk: int, variant: str) -> int:
        total = 0
        for piece in response.iter_content(chunk_size=chunk):
            total += len(piece)
        return total

    def lines(self, response: Any) -> Iterator[str | bytes]:
        yield from response.iter_lines()


if __name__ == "__main__":
    clientkit.main(CurlCffi())
