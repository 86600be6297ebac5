"""Medians with their spread, and ratios, as the report prints them."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread | None:
        if not values:
            return None
        return cls(statistics.median(values), min(values), max(values))


def number(value: float) -> str:
    """Three significant figures, without an exponent for the sizes seen here."""
    if math.isnan(value):
        return "–"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def spread_cells(spread: Spread | None) -> tuple[str, str]:
    """(median, min–max) table cells."""
    if spread is None:
        return "–", "–"
    return number(spread.median), f"{number(spread.low)}–{number(spread.high)}"


def ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "–"
    return f"{value / reference:.2f}x"
