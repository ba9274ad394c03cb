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


def register(app: typer.Typer) -> None:
    app.add_typer(province_app, name="province")
    app.add_typer(import_app, name="import")
