"""The Go-native reference loop (go/cmd/goread): same engine and preset, no Python."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GO_DIR = ROOT / "go"
BINARY = ROOT / "build" / "goread"


def build() -> tuple[Path | None, str]:
    """(the goread binary, "") or (None, why not). A failed build falls back to a binary
    built before (others may be editing go/ while the benchmark runs), with a note."""
    try:
        done = subprocess.run(
            ["go", "build", "-o", str(BINARY), "./cmd/goread"],
            cwd=GO_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        reason = str(error)
    else:
        if done.returncode == 0:
            return BINARY, ""
        reason = " / ".join(done.stderr.strip().splitlines()[-2:])
    if BINARY.exists():
        return BINARY, f"go-native is an earlier build of goread; rebuilding failed: {reason}"
    return None, f"go build ./cmd/goread failed: {reason}"
