"""Neo4j killed in the middle of a load: one line that says so and that the same command
finishes the load; run again once Neo4j is back, the graph is a clean load's.

On a server of its own (this test kills it), started and stopped here."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.driver import open_driver
from graph.migrations import migrate
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from reliefgraph.cli import app
from settings import PROJECT_ROOT, Settings
from synth.county import synthesize
from tests.graphdump import dump, wipe


@pytest.mark.skipif(
    bool(os.environ.get("RELIEFGRAPH_TEST_NEO4J_URI")), reason="needs the project's own server"
)
def test_neo4j_killed_mid_load_ends_in_one_line_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = Settings(
        state_dir=PROJECT_ROOT / ".reliefgraph" / "test-killed",
        bolt_port=free_port(),
        heap_size="512m",
        pagecache_size="256m",
        batch_size=200,
    )
    server = LocalNeo4j(own)
    server.start()
    out = tmp_path / "county"
    synthesize(out, seed=11, scale="small")
    files = [str(p) for p in sorted([*out.glob("*.csv"), *out.glob("*.jsonl")])]
    try:
        with open_driver(own) as driver:
            migrate(driver, own.neo4j_database)
            wipe(driver, own.neo4j_database)
        original_write = Loader._write
        calls = []

        def kill_neo4j_on_the_tenth_batch(self, *args):  # type: ignore[no-untyped-def]
            calls.append(1)
            if len(calls) == 10:
                os.kill(server.status().pid, signal.SIGKILL)  # the database dies, not the loader
            return original_write(self, *args)

        monkeypatch.setattr(Loader, "_write", kill_neo4j_on_the_tenth_batch)
        lost = CliRunner().invoke(app, ["load", *files, "--rejects-dir", str(tmp_path / "rejects")], obj=own)
        assert lost.exit_code == 1 and "Traceback" not in lost.output, lost.output
        assert len(lost.stderr.strip().splitlines()) == 1 and "Neo4j failed" in lost.stderr
        assert "Run the same command again" in lost.stderr
        monkeypatch.setattr(Loader, "_write", original_write)
        server.start()
        again = CliRunner().invoke(app, ["load", *files, "--rejects-dir", str(tmp_path / "rejects")], obj=own)
        assert again.exit_code == 0, again.output
        with open_driver(own) as driver:
            resumed = dump(driver, own.neo4j_database)
            wipe(driver, own.neo4j_database)
            Loader(driver, own, rejects_dir=tmp_path / "clean").load([Path(f) for f in files])
            assert resumed == dump(driver, own.neo4j_database)
            wipe(driver, own.neo4j_database)
    finally:
        server.stop()
