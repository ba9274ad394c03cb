"""Household-level arithmetic shared by detectors: the income line and per-capita income."""

from __future__ import annotations

from typing import Any

from detection.rules import DetectionRules
from domain.money import FEN_PER_YUAN


def line_fen(rules: DetectionRules, township_code: str | None) -> int:
    """The monthly dibao line per person, urban or rural by township."""
    line = rules.income_line
    return FEN_PER_YUAN * (line.urban if township_code in line.urban_townships else line.rural)


def per_capita_monthly_fen(incomes: list[dict[str, Any]], size: int) -> int | None:
    """Verified income of the latest year reported, per member and month; None if none reported."""
    if not incomes or size < 1:
        return None
    year = max(i["year"] for i in incomes)
    total = sum(i["annual_income_fen"] for i in incomes if i["year"] == year)
    return total // (12 * size)
