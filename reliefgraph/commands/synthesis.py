"""`reliefgraph synth`: the synthetic county."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from synth.county import SCALES, synthesize
from synth.prefecture import COUNTIES, county_profile
from synth.province import LABELS, synthesize_province

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth_command(
        out_dir: Annotated[Path, typer.Argument(help="folder for the export files")],
        seed: Annotated[int, typer.Option(help="same seed, same files")] = 2026,
        scale: Annotated[str, typer.Option(help=f"one of {', '.join(SCALES)}")] = "small",
        county: Annotated[
            str, typer.Option(help=f"county code, one of {', '.join(c for c, _, _ in COUNTIES)}")
        ] = "370831",
    ) -> None:
        """Write a synthetic Sishui-like county as department exports, with labelled planted findings."""
        if scale not in SCALES:
            raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}", param_hint="--scale")
        try:
            profile = county_profile(county)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--county") from None
        with console.status(f"synthesising the {scale} county {profile.name} (seed {seed})…"):
            summary = synthesize(out_dir, seed, scale, profile)
        table = Table(
            title=f"{summary.residents:,} residents in {summary.households:,} households → {out_dir}"
        )
        table.add_column("file")
        table.add_column("rows", justify="right")
        for name, rows in summary.files.items():
            table.add_row(name, f"{rows:,}")
        console.print(table)
        console.print(f"{summary.labels} planted findings labelled in {out_dir / 'labels' / 'labels.jsonl'}")

    @app.command("synth-province")
    def synth_province_command(
        out_dir: Annotated[Path, typer.Argument(help="folder for one sub-folder per county, and labels/")],
        counties: Annotated[int, typer.Option(help=f"how many counties, 1 to {len(COUNTIES)}")] = 4,
        seed: Annotated[int, typer.Option(help="same seed, same files")] = 2026,
        scale: Annotated[str, typer.Option(help=f"one of {', '.join(SCALES)}")] = "small",
    ) -> None:
        """Write N distinct synthetic counties with labelled cross-county cases between neighbours."""
        if scale not in SCALES:
            raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}", param_hint="--scale")
        if not 1 <= counties <= len(COUNTIES):
            raise typer.BadParameter(f"1 to {len(COUNTIES)} counties", param_hint="--counties")
        with console.status(f"synthesising {counties} {scale} counties (seed {seed})…"):
            summary = synthesize_province(out_dir, counties, seed, scale)
        table = Table(title=f"{counties} counties, {summary.rows:,} rows → {out_dir}")
        for column in ("county", "code", "folder", "residents", "rows"):
            table.add_column(column, justify="right" if column in ("residents", "rows") else "left")
        for c in summary.counties:
            table.add_row(c["name"], c["code"], c["folder"], f"{c['residents']:,}", f"{c['rows']:,}")
        console.print(table)
        console.print(
            f"{summary.labels} cross-county findings and {summary.decoys} look-alikes labelled in "
            f"{out_dir / 'labels' / LABELS}"
        )
