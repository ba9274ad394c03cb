"""The province commands refuse what they cannot trust, in one line: a findings file to import,
a training sample too small to measure the prior on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from province.identity import MIN_TRAINING_ROWS
from province.writeback import FindingsFileError, read_findings
from reliefgraph.cli import app
from settings import Settings


def _write(folder: Path, *lines: object) -> Path:
    folder.mkdir()
    (folder / "findings.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return folder


GOOD = {
    "kind": "DECEASED_PAID",
    "key": "k",
    "score": 0.97,
    "counties": ["370831", "370881"],
    "subjects": [{"county": "370831", "node": "Person", "key": "x", "role": "deceased"}],
    "explanation": {"zh": "…", "en": "…"},
}


def test_a_good_file_is_read(tmp_path: Path) -> None:
    findings, _ = read_findings(_write(tmp_path / "f", GOOD))
    assert [f["key"] for f in findings] == ["k"]


@pytest.mark.parametrize(
    "bad",
    [
        {**GOOD, "kind": "NOT_A_KIND"},
        {**GOOD, "kind": "GAP_VULNERABLE_UNCOVERED"},
        {**GOOD, "subjects": [{"county": "370831"}]},
        {k: v for k, v in GOOD.items() if k != "explanation"},
        "not an object",
    ],
)
def test_a_bad_line_is_one_clear_error(tmp_path: Path, bad: object) -> None:
    with pytest.raises(FindingsFileError, match=r"findings.jsonl:2: not a cross-county finding"):
        read_findings(_write(tmp_path / "f", GOOD, bad))


def test_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FindingsFileError, match="No such file"):
        read_findings(tmp_path)


def test_a_training_sample_too_small_is_refused_before_spark_starts(tmp_path: Path) -> None:
    (tmp_path / "snap").mkdir()
    args = ["province", "detect", str(tmp_path / "snap"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*args, "--training-rows", "5000"], obj=Settings())
    assert result.exit_code == 2
    assert f"--training-rows must be at least {MIN_TRAINING_ROWS:,}" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
