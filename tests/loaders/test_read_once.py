"""A load reads each export once: the plan's checks, validation and the keys incremental
detection follows all come from that one read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from loaders.run import Loader
from reliefgraph.cli import app
from settings import Settings
from tests.loaders.mini_county import WANG, write_mini_county


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each file's bytes were read (every text export is read this way)."""
    counted: Counter[str] = Counter()
    read_bytes = Path.read_bytes

    def counting(self: Path) -> bytes:
        counted[self.name] += 1
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return counted


def test_load_with_detect_reads_each_file_once(
    graph: Driver, settings: Settings, tmp_path: Path, reads: Counter[str]
) -> None:
    files = write_mini_county(tmp_path / "county")
    result = CliRunner().invoke(
        app, ["load", *map(str, files), "--rejects-dir", str(tmp_path / "rejects"), "--detect"], obj=settings
    )
    assert result.exit_code == 0, result.output
    assert "households affected by the load" in result.output
    assert {f.name: reads[f.name] for f in files} == {f.name: 1 for f in files}


def test_changed_keys_of_loaded_files_read_each_file_once(
    graph: Driver, settings: Settings, tmp_path: Path, reads: Counter[str]
) -> None:
    files = write_mini_county(tmp_path / "county")
    keys = Loader(graph, settings, rejects_dir=tmp_path / "rejects").changed_keys(files)
    assert WANG in keys["persons"]
    assert {f.name: reads[f.name] for f in files} == {f.name: 1 for f in files}
