"""The README's main command, short of serving: start (already running here), synthesise,
load, detect — and the findings are exactly the labelled ones (planted and background the oracle labels)."""

from __future__ import annotations

import json
from pathlib import Path

from neo4j import Driver
from typer.testing import CliRunner

from reliefgraph.cli import app
from settings import Settings


def test_demo_loads_and_detects_the_planted_findings(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    data = tmp_path / "demo-data"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--data-dir", str(data)], obj=settings)
    assert result.exit_code == 0, result.output
    assert "detection (whole county" in result.output
    # A report waits for triage in the demo, its tracking code printed for the status page.
    assert "tracking code:" in result.output
    reports = graph.execute_query(
        "MATCH (r:Report) RETURN r.status AS status, r.channel AS channel", database_=settings.neo4j_database
    ).records
    assert [(r["status"], r["channel"]) for r in reports] == [("received", "hotline")]
    evaluated = CliRunner().invoke(
        app, ["evaluate", str(data / "labels" / "labels.jsonl"), "--json"], obj=settings
    )
    scores = json.loads(evaluated.stdout)
    assert all(s["recall"] >= 0.66 for s in scores), scores
    assert sum(s["matched"] for s in scores) / sum(s["labels"] for s in scores) >= 0.95, scores
    assert sum(s["matched"] for s in scores) / sum(s["findings"] for s in scores) >= 0.9, scores
