"""Each peer library in its own virtual environment under .venv-bench/, made when missing.

The upstream binding's module is also called httpcloak, which is one reason for a venv per
peer: none can shadow another, nor this repository's package.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

VENV_ROOT = Path(__file__).resolve().parents[2] / ".venv-bench"
MARKER = ".bench-requirements"  # what was installed, so a changed pin reinstalls


@dataclass(frozen=True)
class Peer:
    venv: str  # directory under VENV_ROOT
    label: str
    script: str  # under bench/clients/
    requirements: tuple[str, ...]
    setup: str  # how its client script uses it, for the report


PEERS = (
    Peer(
        "upstream-httpcloak",
        "httpcloak 1.7.3 (PyPI)",
        "client_upstream.py",
        ("httpcloak==1.7.3",),
        'Session(preset="chrome-latest", http_version="h2" on TLS), get(stream=True), '
        "iter_content(65536), iter_lines; CA via SSL_CERT_FILE",
    ),
    # curl_cffi 0.17.0 needs certifi>=2026.10.19, which the package index did not have.
    Peer(
        "curl_cffi",
        "curl_cffi",
        "client_curl_cffi.py",
        ("curl_cffi==0.16.3",),
        'Session(impersonate="chrome"), get(stream=True), iter_content(65536), iter_lines',
    ),
    Peer(
        "httpx",
        "httpx",
        "client_httpx.py",
        ("httpx==0.28.1", "h2==4.4.1"),
        "Client(http2=True), send(stream=True), iter_bytes(65536), iter_lines",
    ),
    Peer(
        "requests",
        "requests",
        "client_requests.py",
        ("requests==2.34.2",),
        "Session(), get(stream=True), iter_content(65536), iter_lines (HTTP/1.1 only)",
    ),
    Peer(
        "wreq",
        "wreq",
        "client_wreq.py",
        ("wreq==0.13.0",),
        "blocking.Client(emulation=Chrome137), get, stream() (memoryviews as they arrive; "
        "no read size, no line iterator)",
    ),
    Peer(
        "primp",
        "primp",
        "client_primp.py",
        ("primp==2.0.1",),
        'Client(impersonate="chrome_146"), get(stream=True), iter_bytes(65536), iter_lines '
        "(reports no protocol)",
    ),
)


def _tail(text: str, lines: int = 3) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def ensure(
    name: str, requirements: tuple[str, ...], log: Callable[[str], None]
) -> tuple[Path | None, str]:
    """(the python of venv ``name``, "") once requirements are installed in it, else
    (None, why not)."""
    venv = VENV_ROOT / name
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"creating {venv}")
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True
        )
        if made.returncode != 0:
            return None, f"python -m venv failed: {_tail(made.stderr)}"
    marker = venv / MARKER
    wanted = "\n".join(requirements)
    if marker.exists() and marker.read_text() == wanted:
        return python, ""
    log(f"pip install {' '.join(requirements)} into {venv}")
    try:
        pip = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                *requirements,
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    except subprocess.TimeoutExpired:
        return None, f"pip install {' '.join(requirements)} timed out after 900 s"
    if pip.returncode != 0:
        return None, f"pip install {' '.join(requirements)} failed: {_tail(pip.stderr)}"
    marker.write_text(wanted)
    return python, ""
