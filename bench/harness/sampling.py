"""One sample: one fresh client process, one JSON job in, one JSON line of results out."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clients import Client


@dataclass
class Sample:
    result: dict[str, Any] = field(default_factory=dict)
    skip: str = ""  # the client cannot do this figure
    error: str = ""  # the client failed

    @property
    def ok(self) -> bool:
        return not (self.skip or self.error)


def _argv(client: Client, job: dict[str, Any]) -> list[str]:
    if client.is_python:
        return [*client.command, json.dumps({**job, "variant": client.variant})]
    argv = [*client.command, "-url", job["url"], "-ca", job["ca"], "-chunk", str(job["chunk"])]
    if job["figure"] == "sequential":
        return [*argv, "-requests", str(job["count"]), "-warmup", str(job["warmup"])]
    if job["figure"] == "threads":
        return [*argv, "-threads", str(job["threads"])]
    if job["figure"] != "throughput":
        raise ValueError(f"the Go-native loop has no {job['figure']} figure")
    return argv


def _last_json(text: str) -> dict[str, Any] | None:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _env(client: Client) -> dict[str, str]:
    """The client's environment: a peer never gets PYTHONPATH, which may point at a tree of
    ours to measure (the upstream binding's module is also called httpcloak)."""
    env = dict(os.environ)
    if client.kind == "peer":
        env.pop("PYTHONPATH", None)
    return env


def run(client: Client, job: dict[str, Any], timeout: float, cwd: Path) -> Sample:
    try:
        done = subprocess.run(
            _argv(client, job),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=_env(client),
        )
    except subprocess.TimeoutExpired:
        return Sample(error=f"no answer within {timeout:.0f} s")
    result = _last_json(done.stdout)
    if result is None or done.returncode != 0:
        why = (result or {}).get("error") or " / ".join(done.stderr.strip().splitlines()[-2:])
        return Sample(error=f"exit {done.returncode}: {why or 'no output'}")
    if "skip" in result:
        return Sample(skip=str(result["skip"]))
    expected = job.get("expect_bytes", -1) * job.get("threads", 1)
    if job["figure"] in ("throughput", "threads") and result.get("bytes") != expected:
        return Sample(error=f"read {result.get('bytes')} bytes, expected {expected}")
    return Sample(result)
