"""The machine line of the report: cores, CPU model, kernel, Python, Go."""

from __future__ import annotations

import os
import platform
import subprocess


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def tool_version(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def machine_line() -> str:
    go = tool_version("go", "version").removeprefix("go version ")
    return (
        f"{os.cpu_count()} cores, {cpu_model()}, {platform.system()} {platform.release()} "
        f"({platform.machine()}), Python {platform.python_version()}, Go {go}"
    )
