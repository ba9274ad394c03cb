"""`reliefgraph synth`: the synthetic county."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from synth.county import SCALES, synthesize

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth_command(
        out_dir: Annotated[Path, typer.Argument(help="folder for the export files")],
        seed: Annotated[int, typer.Option(help="same seed, same files")] = 2026,
        scale: Annotated[str, typer.Option(help=f"one of {', '.join(SCALES)}")] = "small",
    ) -> None:
        """Write a synthetic Sishui-like county as department exports, with labelled planted findings."""
        if scale not in SCALES:
            raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}", param_hint="--scale")
        with console.status(f"synthesising the {scale} county (seed {seed})…"):
            summary = synthesize(out_dir, seed, scale)
        table = Table(
            title=f"{summary.residents:,} residents in {summary.households:,} households → {out_dir}"
        )
        table.add_column("file")
        table.add_column("rows", justify="right")
        for name, rows in summary.files.items():
            table.add_row(name, f"{rows:,}")
        console.print(table)
        console.print(f"{summary.labels} planted findings labelled in {out_dir / 'labels' / 'labels.jsonl'}")
