"""The command line's answers to the situations of issue 28: a taken port, another server on
Neo4j's port, the port read back from the state directory, a demo already serving, options
named as typed, and output that stays readable in a log."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from neo4j_server.local_server import LocalNeo4j
from reliefgraph.app import create_app
from reliefgraph.cli import app
from reliefgraph.commands.serve import running_api, serving_file
from settings import Settings
from tests.loaders.mini_county import write_mini_county
from tests.serving import Served


def run(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), obj=settings)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def squatter() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def local_only(settings: Settings) -> None:
    if not settings.uses_local_server:
        pytest.skip("tests run against an external server")


def test_apikey_create_names_the_option_it_needs(tmp_path: Path) -> None:
    settings = Settings(api_keys_file=tmp_path / "keys.toml")
    code, output = run(settings, "apikey", "create", "--subject", "c1", "--role", "coordinator")
    assert code == 2 and "--village" in output and "village_code" not in output, output
    code, output = run(settings, "apikey", "create", "--subject", "p1", "--role", "department_partner")
    assert code == 2 and "needs a --department" in output and "--department partner" not in output
    code, output = run(
        settings, "apikey", "create", "--subject", "c1", "--role", "coordinator", "--village", "370831100001"
    )
    assert code == 0 and "rg_" in output


def test_serve_on_a_taken_port_is_one_line_with_what_to_do(settings: Settings, squatter: int) -> None:
    code, output = run(settings, "serve", "--port", str(squatter))
    assert code == 1
    assert f"port {squatter} on 127.0.0.1 is taken" in output and "--port" in output
    assert "Errno" not in output and len(output.strip().splitlines()) == 1, output


def test_another_server_on_the_bolt_port_is_one_line(
    settings: Settings, driver: Driver, tmp_path: Path
) -> None:
    # A home of our own whose password that server does not know: an AuthError, said in a line.
    local_only(settings)
    home = tmp_path / "state" / "neo4j"
    home.mkdir(parents=True)
    (home / "password").write_text("not-this-servers-password\n")
    # Another user name than the tests' own, so the server's lockout after failed logins
    # cannot touch the other tests' connections.
    elsewhere = Settings(state_dir=tmp_path / "state", bolt_port=settings.bolt_port, neo4j_user="nobody")
    code, output = run(elsewhere, "stats")
    assert code == 1 and "Traceback" not in output and "AuthError" not in output
    assert "is not this project's Neo4j" in output and "reliefgraph neo4j status" in output, output
    assert len(output.strip().splitlines()) == 1, output


def test_commands_read_the_port_back_from_the_state_directory(settings: Settings, driver: Driver) -> None:
    # The test server runs on a port of its own; a later command is not told it, and finds it.
    local_only(settings)
    unsaid = Settings(state_dir=settings.state_dir, heap_size="1g", pagecache_size="512m")
    assert "bolt_port" not in unsaid.model_fields_set and settings.bolt_port != unsaid.bolt_port
    assert LocalNeo4j(unsaid).bolt_uri == f"bolt://127.0.0.1:{settings.bolt_port}"
    code, output = run(unsaid, "neo4j", "status")
    assert code == 0 and f"127.0.0.1:{settings.bolt_port}" in output, output
    code, output = run(unsaid, "stats", "--json")
    assert code == 0 and '"nodes"' in output, output


def test_a_stopped_server_is_found_on_the_port_it_last_used(tmp_path: Path) -> None:
    home = tmp_path / "neo4j"
    home.mkdir()
    (home / "bolt-port").write_text("17999\n")
    assert LocalNeo4j(Settings(state_dir=tmp_path)).bolt_uri == "bolt://127.0.0.1:17999"
    # Said outright, the setting wins.
    assert LocalNeo4j(Settings(state_dir=tmp_path, bolt_port=17000)).bolt_uri == "bolt://127.0.0.1:17000"
    code, output = run(Settings(state_dir=tmp_path), "neo4j", "status")
    assert code == 3 and "stopped at bolt://127.0.0.1:17999" in output, output


def test_demo_while_a_demo_serves_says_where_and_exits_0(
    settings: Settings, driver: Driver, squatter: int, tmp_path: Path
) -> None:
    served = Served(create_app(settings))
    # Were the running demo missed, this demo would stop at its own port, taken, not serve on.
    settings = settings.model_copy(update={"port": squatter})
    marker = serving_file(settings)
    port = served.base_url.rsplit(":", 1)[1]
    try:
        marker.write_text(f"{os.getpid()} 127.0.0.1 {port}\n")
        code, output = run(settings, "demo", "--data-dir", str(tmp_path / "demo-data"))
        assert code == 0 and f"already serves the API at {served.base_url}/graphql" in output, output
        assert "synthesised" not in output and not (tmp_path / "demo-data").exists()
    finally:
        served.stop()
    # Stopped: the file left behind is not taken for a running demo.
    try:
        assert running_api(settings) is None
    finally:
        marker.unlink()


def test_load_summary_and_progress_stay_whole_in_a_log(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    for path in write_mini_county(folder):
        path.rename(path.with_name(f"{path.stem}_MZ_2026-11-01_township-370831100{path.suffix}"))
    names = sorted(p.name for p in folder.iterdir())
    code, output = run(settings, "load", str(folder), "--rejects-dir", str(tmp_path / "rejects"))
    assert code == 0, output
    lines = output.splitlines()
    for name in names:  # in the summary table and in a progress line, never cut (househ…)
        assert sum(name in line for line in lines) >= 2, (name, output)
    assert "…" not in output
    assert not [line for line in lines if line.strip() in ("rows/s", "rows/s │")], output


def test_evaluate_refuses_findings_of_another_date_than_the_labels(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    # A plain `detect` grades as of today; the synthetic county's labels are as of its exports'
    # date. Graded together, GAP_OVERDUE fell to precision 0.44: the calendar, not the rules.
    from datetime import UTC, date, datetime

    from detection.situation import Situation
    from detection.store import store
    from domain.finding_kinds import FindingKind

    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"kind": "GAP_OVERDUE", "cases": ["C1"], "as_of": "2026-11-01"}\n')
    overdue = Situation(FindingKind.GAP_OVERDUE, "C1", 1.0, "逾期", "overdue", [])

    def detected_as_of(day: date) -> None:
        store(
            graph,
            settings.neo4j_database,
            FindingKind.GAP_OVERDUE,
            [overdue],
            datetime.now(UTC),
            None,
            as_of=day,
        )

    detected_as_of(date(2026, 12, 3))
    code, output = run(settings, "evaluate", str(labels), "--json")
    assert code == 2 and "as of 2026-12-03" in output and "--as-of 2026-11-01" in output, output
    detected_as_of(date(2026, 11, 1))
    code, output = run(settings, "evaluate", str(labels), "--json")
    assert code == 0 and '"kind": "GAP_OVERDUE"' in output, output


def test_the_synthetic_labels_carry_their_date(tmp_path: Path) -> None:
    from detection.evaluate import read_labels
    from synth.county import synthesize
    from synth.population import AS_OF

    synthesize(tmp_path, 3, "small")
    assert {label["as_of"] for label in read_labels(tmp_path)} == {AS_OF.isoformat()}
