"""Rounds of samples on one target: clients interleaved, each sample a fresh process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import sampling
from .clients import Client
from .targets import Target

Results = dict[str, list[dict[str, Any]]]  # client label -> one result per good sample


@dataclass
class Skips:
    """Why a client is missing from a figure, one line per (client, reason)."""

    where: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, client: str, place: str, reason: str) -> None:
        places = self.where.setdefault((client, reason), [])
        if place not in places:
            places.append(place)

    def lines(self) -> list[str]:
        return [
            f"{client} — {'; '.join(places)}: {reason}"
            for (client, reason), places in self.where.items()
        ]


@dataclass
class Sampler:
    samples: int
    timeout: float
    cwd: Path
    progress: Callable[[str], None]
    skips: Skips

    def collect(
        self,
        figure: str,
        target: Target,
        clients: list[Client],
        job: dict[str, Any],
        summary: Callable[[dict[str, Any]], str],
    ) -> Results:
        """``samples`` rounds; each round runs every client once, starting one further along
        the list than the round before. A client that skips is not asked again."""
        results: Results = {client.label: [] for client in clients}
        active = list(clients)
        place = f"figure {figure}, {target.name}"
        for round_index in range(self.samples):
            shift = round_index % max(len(active), 1)
            for client in active[shift:] + active[:shift]:
                sample = sampling.run(client, job, self.timeout, self.cwd)
                head = f"[{place}, round {round_index + 1}/{self.samples}] {client.label}:"
                if sample.skip:
                    self.skips.add(client.label, f"figure {figure}", sample.skip)
                    active.remove(client)
                    self.progress(f"{head} skip ({sample.skip})")
                elif sample.error:
                    self.skips.add(client.label, place, f"sample failed: {sample.error}")
                    self.progress(f"{head} FAILED {sample.error}")
                else:
                    results[client.label].append(sample.result)
                    self.progress(f"{head} {summary(sample.result)}")
        return {label: found for label, found in results.items() if found}
