"""Realistic dirt in department exports: the ID-number damage and duplicate rows that real
county files have. Only the spelling changes: every repaired value means the same person."""

from __future__ import annotations

import random
from typing import Any

from domain.ids import check_char

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def old_15_digit(id_number: str) -> str | None:
    """The pre-1999 15-digit form, for people born in the 1900s."""
    if id_number[6:8] != "19":
        return None
    return id_number[:6] + id_number[8:17]


def soil_id(rng: random.Random, id_number: str) -> str:
    roll = rng.random()
    if roll < 0.03:
        return old_15_digit(id_number) or id_number
    if roll < 0.05:
        return id_number.lower()
    if roll < 0.06:
        return f" {id_number[:6]} {id_number[6:14]} {id_number[14:]} "
    if roll < 0.065:
        return id_number.translate(FULL_WIDTH)
    if roll < 0.07:
        return "'" + id_number  # Excel's text marker
    return id_number


def excel_damaged(rng: random.Random, id_number: str) -> str:
    """What Excel does to an 18-digit number stored as a number: digits past 15 are lost.

    A truncation that happens to pass the check digit would be a ghost person no loader can
    catch; the synthetic county uses scientific notation then, so its labels stay exact."""
    truncated = id_number[:15] + "000"
    if rng.random() < 0.5 or check_char(truncated[:17]) == "0":
        return f"{int(id_number[:17]) / 10**17 * 10:.5f}E+17"
    return truncated


def soil_rows(
    rng: random.Random,
    rows: list[dict[str, Any]],
    id_fields: tuple[str, ...],
    duplicate_share: float = 0.01,
    excel_share: float = 0.0,
) -> list[dict[str, Any]]:
    """Dirty copies of ``rows``: damaged-but-repairable IDs, duplicated rows, and (``excel_share``)
    extra rows whose IDs Excel destroyed, as when two exports were pasted together."""
    out: list[dict[str, Any]] = []
    for row in rows:
        dirty = dict(row)
        for name in id_fields:
            if dirty.get(name):
                dirty[name] = soil_id(rng, dirty[name])
        out.append(dirty)
        if rng.random() < duplicate_share:
            out.append(dict(dirty))
        if excel_share and rng.random() < excel_share:
            broken = dict(row)
            broken[id_fields[0]] = excel_damaged(rng, row[id_fields[0]])
            out.append(broken)
    return out
