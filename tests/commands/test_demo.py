"""The README's main command, short of serving: start (already running here), synthesise,
load, detect — and the findings are exactly the planted ones."""

from __future__ import annotations

import json
from pathlib import Path

from neo4j import Driver
from typer.testing import CliRunner

from reliefgraph.cli import app
from reliefgraph.settings import Settings


def test_demo_loads_and_detects_the_planted_findings(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--data-dir", str(data)], obj=settings)
    assert result.exit_code == 0, result.output
    assert "detection (whole county" in result.output
    evaluated = CliRunner().invoke(app, ["evaluate", str(data / "labels" / "labels.jsonl"), "--json"], obj=settings)
    scores = json.loads(evaluated.output)
    assert all(s["precision"] == 1.0 and s["recall"] == 1.0 for s in scores), scores
