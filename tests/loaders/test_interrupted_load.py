"""A load killed part-way (SIGKILL, no clean-up) and run again ends in the clean run's graph."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from neo4j import Driver

from loaders.run import Loader
from settings import Settings
from synth.county import synthesize
from tests.graphdump import dump, wipe

# Runs the real loader in a child process that kills itself, without any clean-up, right
# after the given batch of the given feed has been committed.
CHILD = """
import json, os, signal, sys
from pathlib import Path
from graph.driver import open_driver
from loaders.run import Loader
from settings import Settings

settings = Settings(**json.loads(sys.argv[1]))
feed, batch = sys.argv[2], int(sys.argv[3])
paths = [Path(p) for p in sys.argv[4:]]

def crash(summary, committed):
    if summary.feed == feed and committed == batch:
        os.kill(os.getpid(), signal.SIGKILL)

with open_driver(settings) as driver:
    Loader(driver, settings, rejects_dir=Path(os.environ["REJECTS"])).load(paths, after_batch=crash)
print("finished without crashing")
"""


@pytest.fixture(scope="module")
def county_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("county")
    synthesize(out, seed=11, scale="small")
    return sorted([*out.glob("*.csv"), *out.glob("*.jsonl")])


def _child_settings(settings: Settings) -> str:
    data = settings.model_dump(mode="json")
    data["neo4j_password"] = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    return json.dumps(data)


@pytest.mark.parametrize(("feed", "batch"), [("persons", 3), ("payments", 1), ("enrollments", 1)])
def test_killed_load_run_again_equals_a_clean_load(
    graph: Driver, settings: Settings, county_files: list[Path], tmp_path: Path, feed: str, batch: int
) -> None:
    db = settings.neo4j_database
    Loader(graph, settings, rejects_dir=tmp_path / "clean").load(county_files)
    clean = dump(graph, db)
    wipe(graph, db)

    child = subprocess.run(
        [sys.executable, "-c", CHILD, _child_settings(settings), feed, str(batch), *map(str, county_files)],
        capture_output=True,
        text=True,
        env={"REJECTS": str(tmp_path / "crashed"), "PATH": "/usr/bin:/bin"},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    partial = dump(graph, db)
    assert partial != clean  # it really stopped part-way
    assert sum(partial[0].values()) > 0

    Loader(graph, settings, rejects_dir=tmp_path / "rerun").load(county_files)
    assert dump(graph, db) == clean
