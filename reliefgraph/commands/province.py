"""`export snapshot`, `province detect` and `import province-findings`: detection past one county.

A county exports its snapshot (Parquet, docs/province.md); the province runs the Spark job over
every county's snapshot; each county imports the findings that concern it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from province.snapshot import SnapshotError, export_snapshot
from reliefgraph.commands.connection import connect
from reliefgraph.commands.credit import export_app
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width

province_app = typer.Typer(help="Cross-county detection over counties' snapshots.", no_args_is_help=True)
import_app = typer.Typer(help="Take in what other systems send.", no_args_is_help=True)


@export_app.command("snapshot")
def export_snapshot_command(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Argument(help="folder for manifest.json and the Parquet files")],
    as_json: Annotated[bool, typer.Option("--json", help="print the manifest's summary as JSON")] = False,
) -> None:
    """Write the county's snapshot for the province: one read transaction, Parquet files."""
    settings: Settings = ctx.obj
    with connect(settings) as driver:
        try:
            snap = export_snapshot(driver, settings.neo4j_database, out_dir)
        except SnapshotError as exc:
            errors.print(f"[red]cannot export the snapshot:[/red] {escape(str(exc))}")
            raise typer.Exit(2) from None
    if as_json:
        print(json.dumps({"county": snap.county, "as_of": snap.as_of, "rows": snap.rows}, ensure_ascii=False))
        return
    console.print(
        f"snapshot of {escape(snap.county_name)} ({snap.county}) as of {snap.as_of} "
        f"in {escape(str(out_dir))}: " + ", ".join(f"{t} {n:,}" for t, n in snap.rows.items())
    )


@province_app.command("detect")
def province_detect(
    ctx: typer.Context,
    snapshots: Annotated[list[Path], typer.Argument(help="counties' snapshot folders (export snapshot)")],
    out: Annotated[Path, typer.Option("--out", help="folder for findings.jsonl")],
    master: Annotated[str, typer.Option(help="Spark master: local[*] on this machine")] = "local[*]",
    salt: Annotated[int, typer.Option(min=1, max=1024, help="salting partitions of the blocking rules")] = 1,
    shuffle_partitions: Annotated[int, typer.Option(min=1, max=100_000)] = 8,
    training_rows: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="train the identity model on a random sample of this many persons (default: all; "
            "a province's register does not fit the driver)",
        ),
    ] = None,
) -> None:
    """Run the cross-county Spark job over counties' snapshots; write the findings."""
    from detection.rules import DetectionRulesError, read_rules
    from province.identity import MIN_TRAINING_ROWS
    from province.job import run_job
    from province.spark import session

    settings: Settings = ctx.obj
    if training_rows is not None and training_rows < MIN_TRAINING_ROWS:
        errors.print(f"[red]--training-rows must be at least {MIN_TRAINING_ROWS:,}[/red]")
        raise typer.Exit(2)
    try:
        rules = read_rules(settings.detection_rules_file)
    except DetectionRulesError as exc:
        errors.print(f"[red]cannot read the detection rules:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    missing = [str(s) for s in snapshots if not s.is_dir()]
    if missing:
        errors.print(f"[red]no snapshot folder:[/red] {escape(', '.join(missing))}")
        raise typer.Exit(2)
    try:
        report = run_job(
            session(master, shuffle_partitions),
            snapshots,
            out,
            rules,
            salting_partitions=salt,
            training_rows=training_rows,
        )
    except SnapshotError as exc:
        errors.print(f"[red]cannot read the snapshots:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    console.print(
        f"{sum(report.found.values()):,} cross-county findings over {len(report.counties)} counties in "
        f"{escape(str(report.path))}: " + ", ".join(f"{k} {n:,}" for k, n in report.found.items())
    )


@import_app.command("province-findings")
def import_province_findings(
    ctx: typer.Context,
    findings_dir: Annotated[Path, typer.Argument(help="the folder `province detect` wrote")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Write the cross-county findings that concern this county as findings (idempotent)."""
    from graph.migrations import migrate
    from province.writeback import FindingsFileError, import_findings

    settings: Settings = ctx.obj
    with connect(settings) as driver:
        migrate(driver, settings.neo4j_database)
        try:
            report = import_findings(driver, settings.neo4j_database, findings_dir)
        except FindingsFileError as exc:
            errors.print(f"[red]cannot import the findings:[/red] {escape(str(exc))}")
            raise typer.Exit(2) from None
    summary = {
        "county": report.county,
        "found": report.found,
        "new": report.new,
        "reopened": report.reopened,
        "resolved": report.resolved,
        "unchanged": report.unchanged,
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    console.print(
        f"county {report.county}: {sum(report.found.values()):,} cross-county findings "
        f"({report.new:,} new, {report.reopened:,} reopened, {report.resolved:,} resolved, "
        f"{report.unchanged:,} unchanged)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(province_app, name="province")
    app.add_typer(import_app, name="import")
