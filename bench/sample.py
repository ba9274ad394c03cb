"""The shared sample for ingest baselines: validated household and person rows."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.feeds import FEEDS
from loaders.reading import read_export
from loaders.reference import ReferenceData
from loaders.rows.common import FeedRow


@dataclass
class Sample:
    households: list[dict[str, Any]]
    persons: list[dict[str, Any]]

    @property
    def rows(self) -> int:
        return len(self.households) + len(self.persons)


def validated(
    path: Path, feed: str, reference: ReferenceData, limit: int | None = None
) -> list[dict[str, Any]]:
    chosen = FEEDS[feed]
    context = reference.validation_context()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in read_export(path, chosen.required_columns).rows:
        if raw.problem or raw.raw in seen:
            continue
        seen.add(raw.raw)
        try:
            row = chosen.model.model_validate(FeedRow.without_blanks(raw.values), context=context)
        except ValueError:
            continue
        out.append(chosen.to_params(row))
        if limit is not None and len(out) >= limit:
            break
    return out


def take_sample(county: Path, reference: ReferenceData, persons: int) -> Sample:
    people = validated(county / "persons_GA.csv", "persons", reference, persons)
    wanted = {p["household_id"] for p in people}
    homes = [
        h
        for h in validated(county / "households.csv", "households", reference)
        if h["household_id"] in wanted
    ]
    return Sample(homes, people)


def write_sample(sample: Sample, folder: Path) -> list[Path]:
    """The sample as loader input files (already clean)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, feed, rows in (
        ("households.csv", "households", sample.households),
        ("persons.csv", "persons", sample.persons),
    ):
        columns = FEEDS[feed].columns
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows([("" if r.get(c) is None else r.get(c)) for c in columns] for r in rows)
        out.append(path)
    return out
