"""`reliefgraph synth`: write a synthetic Sishui-like county as department export files.

Same seed, same files. Planted findings are labelled in ``labels/labels.jsonl`` (and
legitimate look-alikes in ``labels/near_misses.jsonl``), outside the folder's top level so
that ``reliefgraph load OUT_DIR`` never loads them.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.feeds import FEEDS
from synth.benefits import ordinary_county
from synth.dirt import soil_rows
from synth.export import Export
from synth.funds import fund_files
from synth.oracle import oracle_labels
from synth.plants import gap_staffing, near_miss_shared, plant_all
from synth.population import AS_OF, SISHUI, CountyProfile, Population
from synth.staffing import staff_county
from synth.straddle import straddle_all

# Share of the real county's residents, plants per kind. 2x and 4x are for bench/scale.py:
# how cost grows past one county (a prefecture is about 15 counties).
SCALES = {"small": (0.01, 3), "medium": (0.1, 10), "full": (1.0, 25), "2x": (2.0, 50), "4x": (4.0, 100)}

# file name, feed, encoding, ID columns to soil, duplicate share, Excel-damaged share
FILES = (
    ("regions.csv", "regions", "utf-8", (), 0.0, 0.0),
    ("households.csv", "households", "utf-8", (), 0.005, 0.0),
    ("persons_GA.csv", "persons", "gb18030", ("id_number",), 0.01, 0.002),
    ("kinship_GA.csv", "kinship", "utf-8", ("id_number", "relative_id_number"), 0.01, 0.0),
    ("staff_MZ.csv", "staff", "utf-8", ("id_number",), 0.0, 0.0),
    ("relative_filings_MZ.csv", "relative_filings", "utf-8", ("relative_id_number",), 0.0, 0.0),
    ("phones.csv", "phones", "utf-8", ("id_number",), 0.01, 0.0),
    ("addresses.csv", "addresses", "utf-8", ("id_number",), 0.01, 0.0),
    ("bank_accounts_YH.csv", "bank_accounts", "gbk", ("holder_id_number",), 0.01, 0.0),
    ("cases.csv", "cases", "utf-8", ("applicant_id_number",), 0.0, 0.0),
    ("enrollments.csv", "enrollments", "utf-8", ("id_number",), 0.0, 0.0),
    ("payments_CZ.jsonl", "payments", "utf-8", (), 0.01, 0.0),
    ("visits.csv", "visits", "utf-8", (), 0.0, 0.0),
    ("vehicles_GA.csv", "vehicles", "gbk", ("id_number",), 0.01, 0.0),
    ("properties_ZR.csv", "properties", "utf-8", ("id_number",), 0.01, 0.0),
    ("businesses_SJ.csv", "businesses", "gbk", ("id_number",), 0.01, 0.0),
    ("employment.csv", "employment", "utf-8", ("id_number",), 0.01, 0.0),
    ("deposits_YH.csv", "deposits", "utf-8", ("id_number",), 0.0, 0.0),
    ("incomes_SW.csv", "incomes", "utf-8", ("id_number",), 0.0, 0.0),
    ("deaths_GA.csv", "deaths", "utf-8", ("id_number",), 0.0, 0.0),
    ("disabilities_CL.csv", "disabilities", "utf-8", ("id_number",), 0.0, 0.0),
    ("vulnerabilities.csv", "vulnerabilities", "utf-8", ("id_number",), 0.0, 0.0),
    ("budgets_CZ.csv", "budgets", "utf-8", (), 0.0, 0.0),
    ("allocations_CZ.csv", "allocations", "utf-8", (), 0.0, 0.0),
    ("payment_files_MZ.csv", "payment_files", "utf-8", (), 0.0, 0.0),
    ("bank_returns_YH.csv", "bank_returns", "gbk", (), 0.0, 0.0),
)


@dataclass(frozen=True)
class SynthSummary:
    out_dir: Path
    files: dict[str, int]
    residents: int
    households: int
    labels: int

    @property
    def rows(self) -> int:
        return sum(self.files.values())


def _population_rows(export: Export) -> None:
    population = export.population
    for township in population.townships:
        for village in township.villages:
            export.rows["regions"].append(
                {
                    "township_code": township.code,
                    "township_name": township.name,
                    "township_population": round(township.population * population.scale),
                    "village_code": village.code,
                    "village_name": village.name,
                    "village_kind": village.kind,
                }
            )
            for household in village.households:
                export.rows["households"].append(
                    {
                        "household_id": household.household_id,
                        "village_code": village.code,
                        "address": household.address,
                        "registered_date": household.head.member_since.isoformat(),
                    }
                )
                for person in household.members:
                    home = person.household_id == household.household_id
                    export.rows["persons"].append(
                        {
                            "document_type": "resident_id",
                            "id_number": person.id_number,
                            "name": person.name,
                            "sex": person.sex,
                            "birth_date": person.birth_date.isoformat(),
                            "household_id": household.household_id,
                            "relation": person.relation if home else "other",
                            "member_since": person.member_since.isoformat() if home else "2025-06-01",
                            "member_until": person.member_until.isoformat()
                            if home and person.member_until
                            else "",
                        }
                    )
    for a, b, relation in population.kinship:
        export.rows["kinship"].append(
            {"id_number": a, "relative_id_number": b, "relation": relation, "source": "GA"}
        )


def _write(path: Path, feed: str, rows: list[dict[str, Any]], encoding: str) -> None:
    columns = FEEDS[feed].columns
    if path.suffix == ".jsonl":
        text = "".join(
            json.dumps({c: r.get(c, "") for c in columns}, ensure_ascii=False) + "\n" for r in rows
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([r.get(c, "") for c in columns] for r in rows)
        text = buffer.getvalue()
    path.write_bytes(text.encode(encoding))


@dataclass
class CountyBuild:
    """A county generated in memory up to its fund files: what a province's cross-county
    plants add to before the county is finished and written."""

    export: Export
    seed: int
    scale: str
    per_kind: int


def build_county(seed: int, scale: str = "small", county: CountyProfile = SISHUI) -> CountyBuild:
    share, per_kind = SCALES[scale]
    rng = random.Random(seed)
    population = Population(rng, share, county)
    population.build()
    export = Export(population, rng)
    townships = population.townships
    understaffed = {t.code for t in rng.sample(townships, 1 if scale == "small" else 2)}
    uncovered = rng.sample(population.villages(), 2 if scale == "small" else 5)
    staff_county(export, understaffed, {v.code for v in uncovered})
    plant_all(export, per_kind)
    straddle_all(export, per_kind)
    gap_staffing(export, sorted(understaffed), uncovered)
    ordinary_county(export)
    near_miss_shared(export)
    return CountyBuild(export, seed, scale, per_kind)


def finish_county(build: CountyBuild) -> None:
    """The fund files (last, on their own random stream) and the register's rows."""
    fund_files(build.export, build.seed, build.per_kind)
    _population_rows(build.export)


def write_county(build: CountyBuild, out_dir: Path) -> SynthSummary:
    export, seed, scale = build.export, build.seed, build.scale
    population = export.population
    # Each label carries the date it was made as of: `evaluate` refuses findings of another.
    dated = {"as_of": AS_OF.isoformat()}
    labels = [{**label, **dated} for label in oracle_labels(export.rows, AS_OF, export.same_person)]

    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    dirt = random.Random(seed + 1)
    for name, feed, encoding, id_fields, duplicates, excel in FILES:
        rows = export.rows.get(feed, [])
        rows = soil_rows(dirt, rows, id_fields, duplicates, excel) if id_fields or duplicates else rows
        _write(out_dir / name, feed, rows, encoding)
        written[name] = len(rows)
    labels_dir = out_dir / "labels"
    labels_dir.mkdir(exist_ok=True)
    for name, items in (
        ("labels.jsonl", labels),
        ("planted.jsonl", [{**label, **dated} for label in export.labels]),
        ("near_misses.jsonl", [{**near, **dated} for near in export.near_misses]),
    ):
        (labels_dir / name).write_text(
            "".join(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n" for item in items),
            encoding="utf-8",
        )
    county = population.county
    where = "" if county == SISHUI else f"{county.name} {county.code}, "
    (labels_dir / "README.txt").write_text(
        f"Planted findings of the synthetic county ({where}seed {seed}, scale {scale}, as of {AS_OF}).\n"
        "Never load these files: they are the answer key for `reliefgraph evaluate`.\n",
        encoding="utf-8",
    )
    return SynthSummary(out_dir, written, len(population.persons), len(population.households), len(labels))


def synthesize(
    out_dir: Path, seed: int, scale: str = "small", county: CountyProfile = SISHUI
) -> SynthSummary:
    build = build_county(seed, scale, county)
    finish_county(build)
    return write_county(build, out_dir)
