"""`backup create|restore|verify` and `jobs run|status`: what a county's IT office runs,
by hand or from its scheduler (deploy/systemd)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph.driver import open_driver
from graph.migrations import migrate
from jobs.backup import BackupError, create, restore, verify
from jobs.catalogue import JOBS
from jobs.runs import JobBusy, last_runs, run_job
from reliefgraph.commands.connection import connect
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def register(app: typer.Typer) -> None:
    backup = typer.Typer(
        help="Dumps of the local Neo4j, with a manifest to prove a restore.", no_args_is_help=True
    )
    jobs = typer.Typer(
        help="Scheduled jobs: one run of a job at a time, each run recorded.", no_args_is_help=True
    )
    app.add_typer(backup, name="backup")
    app.add_typer(jobs, name="jobs")

    @backup.command("create")
    def create_command(
        ctx: typer.Context,
        directory: Annotated[Path | None, typer.Argument(help="default: the settings' backup_dir")] = None,
        keep: Annotated[int | None, typer.Option(min=1, help="keep the newest N dumps there")] = None,
    ) -> None:
        """Stop Neo4j, dump, start it again (says how long it was unavailable)."""
        settings: Settings = ctx.obj
        try:
            made = create(settings, directory or settings.backup_dir, keep)
        except BackupError as exc:
            errors.print(f"[red]backup failed:[/red] {exc}")
            raise typer.Exit(1) from None
        console.print(
            f"{made.dump} ({made.bytes / 1e6:.1f} MB) and {made.manifest.name}; the database was "
            f"unavailable for {made.unavailable_s:.1f} s"
        )

    @backup.command("restore")
    def restore_command(
        ctx: typer.Context,
        dump: Path,
        force: Annotated[bool, typer.Option(help="replace a database that holds data")] = False,
    ) -> None:
        """Load a dump into the local Neo4j (refuses to overwrite data unless --force)."""
        settings: Settings = ctx.obj
        try:
            held = restore(settings, dump, force)
        except BackupError as exc:
            errors.print(f"[red]restore refused:[/red] {exc}")
            raise typer.Exit(1) from None
        console.print(
            f"restored {dump.name}: {sum(held['nodes'].values()):,} node labels counted, "
            f"{sum(held['relationships'].values()):,} relationships, "
            f"audit chain at {held['audit_head']['seq']}"
        )

    @backup.command("verify")
    def verify_command(ctx: typer.Context, dump: Path) -> None:
        """Restore into a scratch server and compare with the manifest (exit 1 on any difference)."""
        settings: Settings = ctx.obj
        try:
            problems = verify(settings, dump)
        except BackupError as exc:
            errors.print(f"[red]cannot verify:[/red] {exc}")
            raise typer.Exit(1) from None
        if problems:
            errors.print(
                f"[red]{dump.name} does not restore to what was backed up:[/red] " + "; ".join(problems)
            )
            raise typer.Exit(1)
        console.print(f"{dump.name} restores to exactly what its manifest records")

    @jobs.command("run")
    def run_command(ctx: typer.Context, name: Annotated[str, typer.Argument(help=", ".join(JOBS))]) -> None:
        """Run one job now, as the scheduler would: refused while another run of it holds its lock."""
        settings: Settings = ctx.obj
        if name not in JOBS:
            errors.print(f"[red]unknown job {name!r}:[/red] one of {', '.join(JOBS)}")
            raise typer.Exit(2)
        with connect(settings) as driver:
            migrate(driver, settings.neo4j_database)
        try:
            result = run_job(
                lambda: open_driver(settings), settings.neo4j_database, name, lambda: JOBS[name](settings)
            )
        except JobBusy as exc:
            errors.print(f"[yellow]not started:[/yellow] {exc}")
            raise typer.Exit(75) from None  # EX_TEMPFAIL: the scheduler may try again later
        except Exception as exc:  # noqa: BLE001 - recorded as the run's failure; one line here
            errors.print(f"[red]{name} failed:[/red] {type(exc).__name__}: {exc}")
            raise typer.Exit(1) from None
        console.print(f"{name} succeeded ({result.run_id}): {json.dumps(result.counts, ensure_ascii=False)}")

    @jobs.command("status")
    def status_command(
        ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False
    ) -> None:
        """The last runs of every job: when, how long, outcome, counts."""
        settings: Settings = ctx.obj
        with connect(settings) as driver:
            migrate(driver, settings.neo4j_database)
            runs = last_runs(driver, settings.neo4j_database)
        if as_json:
            print(json.dumps(runs, indent=2, ensure_ascii=False))
            return
        table = Table(title="job runs (newest first)")
        for column in ("job", "started", "seconds", "outcome", "counts or error"):
            table.add_column(column)
        for r in runs:
            table.add_row(
                r["job"],
                r["started_at"][:19],
                str(r["seconds"] or ""),
                r["outcome"],
                r["error"] or r["counts"] or "",
                style="red" if r["outcome"] == "failed" else "",
            )
        console.print(table if runs else "no job has run yet")
