"""Rounds of samples on one target: clients interleaved, each sample a fresh process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import quiet, sampling
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
    retaken: int = 0  # samples taken again because other load disturbed them
    disturbed: int = 0  # samples kept although still disturbed (no quiet attempt)

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
                sample = self.quiet_sample(client, job)
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
                    others = sample.result["others_load"]
                    self.disturbed += others > quiet.QUIET_SHARE
                    self.progress(f"{head} {summary(sample.result)} (others {others:.0%})")
        return {label: found for label, found in results.items() if found}

    def quiet_sample(self, client: Client, job: dict[str, Any]) -> sampling.Sample:
        """One sample, taken again while other processes disturbed it (quiet.py); the
        quietest is kept, with the others' load it saw as ``others_load``."""
        best: tuple[float, sampling.Sample] | None = None
        for _ in range(quiet.ATTEMPTS):
            meter = quiet.LoadMeter()
            meter.start()
            sample = sampling.run(client, job, self.timeout, self.cwd)
            if not sample.ok:
                return sample
            others = meter.others_share()
            if best is None or others < best[0]:
                best = (others, sample)
            if others <= quiet.QUIET_SHARE:
                break
            self.retaken += 1
        assert best is not None
        best[1].result["others_load"] = best[0]
        return best[1]
