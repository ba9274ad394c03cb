"""Backups of the local Neo4j that are proven to restore.

Neo4j Community dumps a database only while it is stopped (`neo4j-admin database dump`):
a backup stops the server, dumps, and starts it again, and says how long the database was
unavailable. Beside each dump a manifest records what the graph held: node counts by label,
relationship counts by type, and the audit chain's head (its last sequence number and
hash), so a restore can be checked against what was backed up, not against hope.

`verify` loads a dump into a scratch server of its own (another state directory, another
port) and compares it with the manifest; `restore` loads it into the local server and
refuses to overwrite a database that holds anything unless forced.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.driver import open_driver
from graph.stats import graph_stats
from neo4j_server.local_server import LocalNeo4j, free_port
from settings import Settings
from settings.private_files import make_private, private_dir, private_write

DATABASE = "neo4j"  # Community has one user database
AUDIT_HEAD = "MATCH (c:AuditChain {name: 'audit'}) RETURN c.seq AS seq, c.hash AS hash"


class BackupError(RuntimeError):
    """A backup could not be made, restored or verified; the message says why."""


@dataclass(frozen=True)
class Backup:
    dump: Path
    manifest: Path
    bytes: int
    unavailable_s: float  # how long the database was stopped


def _local(settings: Settings) -> LocalNeo4j:
    if settings.neo4j_uri is not None:
        raise BackupError(
            "backups here are of the project's own local Neo4j; for a server at NEO4J_URI use its "
            "operator's tools (neo4j-admin database backup on Enterprise, or its dumps)"
        )
    return LocalNeo4j(settings)


def snapshot(settings: Settings) -> dict[str, Any]:
    """What the graph holds: counts by label and type, and the audit chain's head."""
    with open_driver(settings) as driver:
        stats = graph_stats(driver, settings.neo4j_database)
        records, _, _ = driver.execute_query(AUDIT_HEAD, database_=settings.neo4j_database)
    head = records[0].data() if records else {"seq": 0, "hash": None}
    return {"nodes": stats.nodes, "relationships": stats.relationships, "audit_head": head}


def _admin(local: LocalNeo4j, *args: str) -> None:
    result = local.admin_command(*args)
    if result.returncode != 0:
        raise BackupError(
            f"neo4j-admin {' '.join(args[:3])} failed: {(result.stderr or result.stdout).strip()[-500:]}"
        )


def create(settings: Settings, directory: Path, keep: int | None = None) -> Backup:
    """Dump the local database into `directory` with its manifest; keep the newest `keep`."""
    local = _local(settings)
    was_running = local.status().running
    if not was_running:
        local.start()
    manifest = snapshot(settings)
    private_dir(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dump = directory / f"reliefgraph-{stamp}.dump"
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        stopped = time.perf_counter()
        local.stop()
        try:
            _admin(
                local, "database", "dump", DATABASE, f"--to-path={scratch}", "--overwrite-destination=true"
            )
        finally:
            if was_running:
                local.start()
            unavailable = time.perf_counter() - stopped
        made = Path(scratch) / f"{DATABASE}.dump"
        make_private(made)  # before it leaves the private scratch folder: the whole database
        shutil.move(made, dump)
    manifest |= {"dump": dump.name, "created_at": stamp, "neo4j_version": settings.neo4j_version}
    manifest_path = dump.with_suffix(".json")
    private_write(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False))
    if keep is not None:
        for old in sorted(directory.glob("reliefgraph-*.dump"))[:-keep]:
            old.unlink()
            old.with_suffix(".json").unlink(missing_ok=True)
    return Backup(dump, manifest_path, dump.stat().st_size, round(unavailable, 1))


def _load(local: LocalNeo4j, dump: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / f"{DATABASE}.dump").symlink_to(dump.resolve())
        _admin(local, "database", "load", DATABASE, f"--from-path={scratch}", "--overwrite-destination=true")


def restore(settings: Settings, dump: Path, force: bool = False) -> dict[str, Any]:
    """Load a dump into the local server (stopped for the load, started again)."""
    if not dump.is_file():
        raise BackupError(f"{dump} is not a file")
    local = _local(settings)
    local.start()
    held = snapshot(settings)
    data = sum(count for label, count in held["nodes"].items() if label != "SchemaVersion")
    if data and not force:
        raise BackupError(
            f"the database holds {data:,} nodes; restoring would replace them (use --force to do so)"
        )
    local.stop()
    try:
        _load(local, dump)
    finally:
        local.start()
    return snapshot(settings)


def differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What differs between two snapshots, in words (empty when they agree)."""
    out = []
    for part in ("nodes", "relationships"):
        for key in sorted(set(expected[part]) | set(found[part])):
            a, b = expected[part].get(key, 0), found[part].get(key, 0)
            if a != b:
                out.append(f"{part} {key}: {a:,} backed up, {b:,} restored")
    if expected["audit_head"] != found["audit_head"]:
        out.append(f"audit chain head: {expected['audit_head']} backed up, {found['audit_head']} restored")
    return out


def verify(settings: Settings, dump: Path) -> list[str]:
    """Load the dump into a scratch server of its own and compare it with its manifest."""
    manifest_path = dump.with_suffix(".json")
    if not dump.is_file() or not manifest_path.is_file():
        raise BackupError(f"{dump} or its manifest {manifest_path.name} is missing")
    expected = json.loads(manifest_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="reliefgraph-verify-") as state:
        scratch = settings.model_copy(
            update={
                "state_dir": Path(state),
                "bolt_port": free_port(),
                "neo4j_uri": None,
                "heap_size": "1g",
                "pagecache_size": "512m",
            }
        )
        server = LocalNeo4j(scratch)
        server.start()  # sets the home up (and its password), then the dump replaces its empty database
        server.stop()
        try:
            _load(server, dump)
            server.start()
            return differences(expected, snapshot(scratch))
        finally:
            server.stop()
