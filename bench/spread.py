"""A timed figure with its spread: median, min and max of the repeated runs, and how many."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def __str__(self) -> str:
        return (
            f"{self.median:.2f} s (min {min(self.runs):.2f}, max {max(self.runs):.2f}, {len(self.runs)} runs)"
        )


def ratio(slow: Spread, fast: Spread) -> float:
    """The ratio of medians."""
    return slow.median / fast.median
