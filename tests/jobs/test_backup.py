"""Backups proven to restore: the small county backed up, the database destroyed, restored,
and the whole graph compared; a dump verified in a scratch server; a restore over data
refused. On a server of its own (the backup stops it), started and stopped here."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.driver import open_driver
from graph.migrations import migrate
from jobs.backup import BackupError, create, restore, verify
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j, free_port
from reliefgraph.cli import app
from settings import PROJECT_ROOT, Settings
from synth.county import synthesize
from tests.graphdump import dump, wipe
from tests.test_file_modes import assert_private


@pytest.mark.skipif(
    bool(os.environ.get("RELIEFGRAPH_TEST_NEO4J_URI")), reason="needs the project's own server"
)
def test_backup_destroy_restore_gives_the_same_graph(tmp_path: Path) -> None:
    own = Settings(
        state_dir=PROJECT_ROOT / ".reliefgraph" / "test-backup",
        bolt_port=free_port(),
        heap_size="512m",
        pagecache_size="256m",
    )
    server = LocalNeo4j(own)
    server.start()
    county = tmp_path / "county"
    synthesize(county, seed=11, scale="small")
    try:
        with open_driver(own) as driver:
            migrate(driver, own.neo4j_database)
            wipe(driver, own.neo4j_database)
            migrate(driver, own.neo4j_database)
            Loader(driver, own, rejects_dir=tmp_path / "rejects").load(
                sorted([*county.glob("*.csv"), *county.glob("*.jsonl")])
            )
            before = dump(driver, own.neo4j_database)
        made = CliRunner().invoke(
            app, ["backup", "create", str(tmp_path / "backups"), "--keep", "2"], obj=own
        )
        assert made.exit_code == 0, made.output
        assert "unavailable for" in made.output and server.status().running
        [backup] = sorted((tmp_path / "backups").glob("*.dump"))
        # The whole database, and what it held: for the owner's eyes only.
        assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
        assert_private(backup)
        assert_private(backup.with_suffix(".json"))
        # A restore over a database that holds data is refused without --force.
        with pytest.raises(BackupError, match="--force"):
            restore(own, backup)
        with open_driver(own) as driver:
            wipe(driver, own.neo4j_database)  # the disaster
            assert dump(driver, own.neo4j_database) != before
        restored = CliRunner().invoke(app, ["backup", "restore", str(backup)], obj=own)
        assert restored.exit_code == 0, restored.output
        with open_driver(own) as driver:
            assert dump(driver, own.neo4j_database) == before
        assert verify(own, backup) == []
        # A manifest that does not match what the dump holds is reported, count by count.
        manifest = json.loads(backup.with_suffix(".json").read_text())
        manifest["nodes"]["Person"] += 1
        backup.with_suffix(".json").write_text(json.dumps(manifest))
        checked = CliRunner().invoke(app, ["backup", "verify", str(backup)], obj=own)
        assert checked.exit_code == 1 and "nodes Person" in checked.stderr
        # Retention: another backup with keep=1 leaves only itself (and its manifest).
        newest = create(own, tmp_path / "backups", keep=1)
        assert sorted((tmp_path / "backups").iterdir()) == sorted([newest.dump, newest.manifest])
    finally:
        with open_driver(own) as driver:
            wipe(driver, own.neo4j_database)
        server.stop()
