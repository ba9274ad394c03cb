"""Counties' snapshots as Spark tables: each table of every snapshot, one view per table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from province.snapshot import TABLES, SnapshotError, read_manifest


def register_snapshots(spark: Any, snapshot_dirs: list[Path]) -> list[dict[str, Any]]:
    """Check each snapshot's manifest, then register `persons`, `households`, … as temporary
    views over all of them (each row carries its county). Two snapshots of one county are refused."""
    manifests = [read_manifest(d) for d in snapshot_dirs]
    counties = [m["county"] for m in manifests]
    if len(set(counties)) != len(counties):
        raise SnapshotError(f"two snapshots of one county: {sorted(counties)}")
    for table in TABLES:
        paths = [str(d / f"{table}.parquet") for d in snapshot_dirs]
        spark.read.parquet(*paths).createOrReplaceTempView(table)
    return manifests
