"""The township figures' first answer after a restart, with and without the plan made ahead.

    python -m bench.plan_ahead [--repeats 3]

A server of its own, with the small synthetic county loaded. Each round empties the server's
plan caches (db.clearQueryCaches), then times the query's first run cold, and its first run
after the EXPLAIN the app sends at start-up (reliefgraph/warm_plans.py); a warm run beside
them. Printed: the median of the rounds, with min and max, in seconds.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.county import OUT, county_folder
from bench.machine import machine_line
from bench.spread import Spread
from detection.performance import planned_ahead
from detection.rules import read_rules
from graph.driver import open_driver
from graph.migrations import migrate
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import PROJECT_ROOT, Settings

console = Console(width=130)
logging.getLogger("neo4j").setLevel(logging.ERROR)
CLEAR = "CALL db.clearQueryCaches()"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = Settings(
        state_dir=PROJECT_ROOT / ".reliefgraph" / "bench-plan-ahead", bolt_port=free_port(), heap_size="1g"
    )
    console.print(machine_line(settings))
    folder = county_folder(console, "small", 2026)
    local = LocalNeo4j(settings)
    local.stop()
    local.start()
    times: dict[str, list[float]] = {"cold": [], "after EXPLAIN": [], "warm": []}
    try:
        with open_driver(settings) as driver:
            db = settings.neo4j_database
            migrate(driver, db)
            Loader(driver, settings, rejects_dir=OUT / "rejects" / "plan-ahead").load(
                sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])
            )
            query, params = planned_ahead(read_rules(settings.detection_rules_file))[0]

            def first(text: str, p: dict[str, Any]) -> float:
                started = time.perf_counter()
                with driver.session(database=db) as session:
                    session.run(text, p).consume()
                return time.perf_counter() - started

            for _ in range(args.repeats):
                driver.execute_query(CLEAR, database_=db)
                times["cold"].append(first(query, params))
                times["warm"].append(first(query, params))
                driver.execute_query(CLEAR, database_=db)
                first("EXPLAIN " + query, params)
                times["after EXPLAIN"].append(first(query, params))
    finally:
        local.stop()
    table = Table(title="townshipPerformance's query, 24 months county-wide, small county (seconds)")
    for column in ("run", "median", "min", "max"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for name, values in times.items():
        s = Spread(tuple(values))
        table.add_row(name, f"{s.median:.2f}", f"{min(values):.2f}", f"{max(values):.2f}")
    console.print(table)


if __name__ == "__main__":
    main()
