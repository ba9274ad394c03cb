"""The ingest baselines: a plain per-row driver loop, and neo4j-admin's offline import."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from neo4j import Driver

from bench.sample import Sample
from loaders.feeds import FEEDS
from neo4j_server.local_server import LocalNeo4j
from settings import Settings


def per_row_loop(driver: Driver, database: str, sample: Sample, county_code: str) -> float:
    """What a first version does: one transaction per row, same Cypher. Returns seconds."""
    started = time.perf_counter()
    with driver.session(database=database) as session:
        for feed, rows in (("households", sample.households), ("persons", sample.persons)):
            cypher = FEEDS[feed].cypher
            for row in rows:
                session.execute_write(
                    lambda tx, r=row, cypher=cypher: tx.run(
                        cypher, rows=[r], county_code=county_code
                    ).consume()
                )
    return time.perf_counter() - started


def _import_csvs(sample: Sample, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "households.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["household_id:ID(Household)", "village_code", "address", "registered_date:date"])
        w.writerows(
            [h["household_id"], h["village_code"], h["address"], h["registered_date"] or ""]
            for h in sample.households
        )
    with (folder / "persons.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id_number:ID(Person)", "name", "document_type", "sex", "birth_date:date"])
        seen: set[str] = set()
        for p in sample.persons:
            if p["id_number"] not in seen:
                seen.add(p["id_number"])
                w.writerow(
                    [p["id_number"], p["name"], p["document_type"], p["sex"] or "", p["birth_date"] or ""]
                )
    with (folder / "members.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([":START_ID(Person)", ":END_ID(Household)", "relation", "since:date"])
        w.writerows(
            [p["id_number"], p["household_id"], p["relation"], p["member_since"]] for p in sample.persons
        )
    return [
        f"--nodes=Household={folder / 'households.csv'}",
        f"--nodes=Person={folder / 'persons.csv'}",
        f"--relationships=MEMBER_OF={folder / 'members.csv'}",
    ]


def admin_import(settings: Settings, sample: Sample, work: Path) -> float:
    """`neo4j-admin database import full` of the sample into an empty, offline database."""
    home = LocalNeo4j(settings)
    home.prepare_home()
    args = _import_csvs(sample, work)
    started = time.perf_counter()
    # The database name goes first: --nodes/--relationships take every argument after them.
    result = home.admin_command(
        "database",
        "import",
        "full",
        "neo4j",
        "--overwrite-destination=true",
        "--skip-duplicate-nodes=true",
        *args,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"neo4j-admin import failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds
