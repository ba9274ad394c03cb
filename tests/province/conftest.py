"""One Spark session for the province tests (local mode, two cores, UI off), and extra
Neo4j servers, one per county, each with its own state under .reliefgraph/test-province/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.driver import open_driver
from graph.migrations import migrate
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import PROJECT_ROOT, Settings

PROVINCE_STATE = PROJECT_ROOT / ".reliefgraph" / "test-province"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from province.spark import session

    spark = session("local[2]", shuffle_partitions=2)
    yield spark
    spark.stop()


class CountyServer:
    def __init__(self, name: str) -> None:
        self.settings = Settings(
            state_dir=PROVINCE_STATE / name,
            bolt_port=free_port(),
            heap_size="512m",
            pagecache_size="64m",
            batch_size=500,
        )
        self.server = LocalNeo4j(self.settings)

    def __enter__(self) -> CountyServer:
        self.server.start()
        self.driver = open_driver(self.settings)
        migrate(self.driver, self.settings.neo4j_database)
        return self

    def __exit__(self, *_: object) -> None:
        self.driver.close()
        self.server.stop()


@pytest.fixture(scope="module")
def county_servers() -> Iterator[list[CountyServer]]:
    """Four Neo4j servers, started one after the other and stopped after the module."""
    started: list[CountyServer] = []
    try:
        for name in ("a", "b", "c", "d"):
            started.append(CountyServer(name).__enter__())
        yield started
    finally:
        for s in started:
            s.__exit__()
