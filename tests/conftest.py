"""Test fixtures: a real Neo4j server, and an empty graph for every test that asks for one.

By default the tests provision and start their own local Neo4j (separate home and port from
the demo's, so running the tests never touches demo data) and stop it at the end. To run
them against another server, set RELIEFGRAPH_TEST_NEO4J_URI (and _USER/_PASSWORD): its
database is wiped by every test, so never point it at real data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph.driver import open_driver
from graph.migrations import migrate
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import PROJECT_ROOT, Settings
from tests.graphdump import wipe

TEST_STATE = PROJECT_ROOT / ".reliefgraph" / "test"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    uri = os.environ.get("RELIEFGRAPH_TEST_NEO4J_URI")
    if uri:
        yield Settings(
            neo4j_uri=uri,
            neo4j_user=os.environ.get("RELIEFGRAPH_TEST_NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("RELIEFGRAPH_TEST_NEO4J_PASSWORD", ""),
            batch_size=500,
        )
        return
    local_settings = Settings(
        state_dir=TEST_STATE, bolt_port=free_port(), heap_size="1g", pagecache_size="512m", batch_size=500
    )
    server = LocalNeo4j(local_settings)
    server.start()
    try:
        yield local_settings
    finally:
        server.stop()


@pytest.fixture(scope="session")
def driver(settings: Settings) -> Iterator[Driver]:
    with open_driver(settings) as drv:
        migrate(drv, settings.neo4j_database)
        yield drv


@pytest.fixture
def graph(driver: Driver, settings: Settings) -> Iterator[Driver]:
    """An empty graph (schema kept); emptied again afterwards."""
    wipe(driver, settings.neo4j_database)
    yield driver
    wipe(driver, settings.neo4j_database)


@pytest.fixture
def rejects_dir(tmp_path: Path) -> Path:
    return tmp_path / "rejects"
