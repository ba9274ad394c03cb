"""Nothing the service writes is readable by other users of the machine: the local server's
store and transaction log, a rejects file, a credit outbox batch, and whatever a CLI command
creates. Checked by mode, and by reading each as the user nobody."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from access.audit_chain import export_chain
from jobs.credit_export import Batch, OutboxSink, change_record
from loaders.run import Loader
from neo4j_server.local_server import LocalNeo4j
from reliefgraph.cli import app, main
from settings import Settings
from tests.loaders.mini_county import write_csv

AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


CAN_SWITCH_USER = os.geteuid() == 0 and shutil.which("setpriv") is not None


def read_as_nobody(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AS_NOBODY, "cat", str(path)], capture_output=True, text=True)


def assert_private(path: Path) -> None:
    """Owner-only by mode, and refused to the user nobody (where the tests may switch user)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & 0o077 == 0, f"{path} is {mode:o}"
    if CAN_SWITCH_USER:
        result = read_as_nobody(path)
        assert result.returncode != 0 and "Permission denied" in result.stderr, f"nobody read {path}"


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user may pass through (pytest's own tmp folders are closed to them), so
    what is refused below is refused by the service's own files and folders."""
    with tempfile.TemporaryDirectory(prefix="reliefgraph-modes-") as folder:
        os.chmod(folder, 0o711)
        yield Path(folder)


@pytest.mark.skipif(not CAN_SWITCH_USER, reason="reading as another user needs root and setpriv (util-linux)")
def test_nobody_can_read_a_world_readable_file_here(open_folder: Path) -> None:
    # The other tests' refusals mean something only if nobody can read what is left open.
    control = open_folder / "control.txt"
    control.write_text("open\n")
    os.chmod(control, 0o644)
    assert read_as_nobody(control).stdout == "open\n"


def test_the_store_and_transaction_log_are_private(settings: Settings, driver: Driver) -> None:
    if not settings.uses_local_server:
        pytest.skip("tests run against an external server")
    driver.execute_query(
        "CREATE (p:ModeProbe {address: '泉林镇东村1号'}) DELETE p", database_=settings.neo4j_database
    )
    home = LocalNeo4j(settings).home
    [txlog, *_] = sorted((home / "data" / "transactions" / "neo4j").glob("neostore.transaction.db.*"))
    [store, *_] = sorted((home / "data" / "databases" / "neo4j").glob("neostore*"))
    for path in (
        txlog,
        store,
        home / "logs" / "neo4j.log",
        home / "conf" / "neo4j.conf",
        home / "run" / "reliefgraph.pid",
    ):
        assert_private(path)
    for folder in (settings.state_dir, home, home / "data", home / "data" / "databases" / "neo4j"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_rejects_file_is_private(graph: Driver, settings: Settings, open_folder: Path) -> None:
    households = write_csv(
        open_folder / "households.csv",
        ["household_id", "village_code", "address"],
        [["H9", "not-a-village", "泉林镇东村9号"]],
    )
    rejects = open_folder / "rejects" / "2026-11"
    report = Loader(graph, settings, rejects_dir=rejects).load([households])
    assert report.rejected == 1
    assert stat.S_IMODE((open_folder / "rejects").stat().st_mode) == 0o700
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o700
    assert_private(rejects / "households.csv.rejects.csv")


def test_an_outbox_batch_is_private(open_folder: Path) -> None:
    folder = open_folder / "outbox" / "credit"
    record = change_record(
        {
            "change_id": "c1",
            "sequence": 1,
            "change": "published",
            "occurred_at": date(2026, 11, 2),
            "record_id": "DR-1",
            "record_version": 2,
            "subject_name": "王建国",
            "id_number": "11010519491231002X",
        }
    )
    OutboxSink(folder).send(Batch(1, 1, [record]), lambda step, number: None, 1)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert_private(path)


def test_an_exported_audit_trail_is_private(graph: Driver, settings: Settings, open_folder: Path) -> None:
    # The copy names whose data was read, and why: as private as the trail itself.
    target = open_folder / "audit" / "trail.jsonl"
    export_chain(graph, settings.neo4j_database, target)
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert_private(target)


def test_the_state_directory_of_an_older_install_is_made_private(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "neo4j" / "data").mkdir(parents=True)
    (state / "neo4j" / "data" / "neostore").write_text("store")
    (state / "api-keys.toml").write_text("keys")
    for path, mode in (
        (state, 0o755),
        (state / "neo4j", 0o755),
        (state / "neo4j" / "data", 0o775),
        (state / "neo4j" / "data" / "neostore", 0o644),
        (state / "api-keys.toml", 0o600),
    ):
        os.chmod(path, mode)
    changed = LocalNeo4j(Settings(state_dir=state)).make_state_private()
    assert sorted(changed) == sorted(
        [state, state / "neo4j", state / "neo4j" / "data", state / "neo4j" / "data" / "neostore"]
    )
    assert stat.S_IMODE((state / "neo4j" / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "neo4j" / "data" / "neostore").stat().st_mode) == 0o600
    assert LocalNeo4j(Settings(state_dir=state)).make_state_private() == []


def test_neo4j_start_says_in_one_line_what_it_made_private(tmp_path: Path) -> None:
    import socket

    state = tmp_path / "state"
    (state / "neo4j").mkdir(parents=True)
    (state / "neo4j" / "password").write_text("secret\n")
    os.chmod(state / "neo4j" / "password", 0o644)
    with socket.socket() as squatter:  # the start stops there, after the check
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        own = Settings(state_dir=state, bolt_port=squatter.getsockname()[1])
        result = CliRunner().invoke(app, ["neo4j", "start"], obj=own)
    assert result.exit_code == 1 and "Traceback" not in result.output
    [warning] = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "readable by other users; made private" in warning and str(state) in warning
    assert stat.S_IMODE((state / "neo4j" / "password").stat().st_mode) == 0o600


def test_the_cli_makes_whatever_its_commands_create_private(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = os.umask(0o022)
    monkeypatch.setattr(sys, "argv", ["reliefgraph", "--help"])
    try:
        with pytest.raises(SystemExit):
            main()
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(previous)
