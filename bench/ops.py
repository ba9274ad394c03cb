"""Operations benchmark: back up the full county, verify the dump in a scratch server, and
print how long the database (and so the API) was unavailable and how long the proof took;
and how long the API's driver takes to give up on a Neo4j that is gone (the 503's wait).

    make bench-ops        (or: python -m bench.ops [--repeats 3])
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path

from rich.console import Console

from bench.county import bench_settings, start_with_county
from bench.machine import machine_line
from bench.spread import Spread
from graph.driver import api_driver
from jobs.backup import create, verify
from neo4j_server.local_server import free_port
from resolvers.gateway import GraphGateway, GraphUnavailable
from settings import Settings

console = Console(width=130)


async def _time_to_unavailable(settings: Settings, repeats: int) -> Spread:
    driver = api_driver(f"bolt://127.0.0.1:{free_port()}", ("neo4j", "unused"), settings)
    gateway, times = GraphGateway(driver, settings.neo4j_database, settings.query_timeout_s), []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            try:
                await gateway.read("RETURN 1")
            except GraphUnavailable:
                times.append(time.perf_counter() - started)
    finally:
        await driver.close()
    return Spread(tuple(times))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = bench_settings()
    console.print(machine_line(settings))
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    console.print(
        f"Neo4j gone: the API's read gives up (503) after {asyncio.run(_time_to_unavailable(settings, 5))}"
    )
    local, _ = start_with_county(settings, console)
    try:
        unavailable, verified, size = [], [], 0
        with tempfile.TemporaryDirectory(prefix="reliefgraph-bench-ops-") as folder:
            for _ in range(args.repeats):
                made = create(settings, Path(folder), keep=1)
                unavailable.append(made.unavailable_s)
                size = made.bytes
                started = time.perf_counter()
                problems = verify(settings, made.dump)
                verified.append(time.perf_counter() - started)
                if problems:
                    console.print(
                        f"[red]the full county's dump does not restore to its manifest:[/red] {problems}"
                    )
                    raise SystemExit(1)
        console.print(
            f"full county dump: {size / 1e6:.0f} MB; database unavailable during a backup: "
            f"{Spread(tuple(unavailable))}; restore into a scratch server and compare with the manifest: "
            f"{Spread(tuple(verified))} — every count and the audit chain's head equal"
        )
    finally:
        local.stop()


if __name__ == "__main__":
    main()
