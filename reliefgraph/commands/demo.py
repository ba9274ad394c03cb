"""`reliefgraph demo`: the README's main command, from nothing to a loaded county."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from graph.stats import graph_stats
from reliefgraph.commands.data import connect, load_paths, migrate_schema, print_report, print_stats
from reliefgraph.commands.neo4j_server import start_local
from reliefgraph.settings import Settings
from synth.county import synthesize

console = Console()


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        ctx: typer.Context,
        data_dir: Annotated[Path, typer.Option(help="where the synthetic exports are written")] = Path("demo-data"),
        seed: Annotated[int, typer.Option(help="seed of the synthetic county")] = 2026,
    ) -> None:
        """Start Neo4j, synthesise the small county, load it and show what is in the graph."""
        settings: Settings = ctx.obj
        if settings.uses_local_server:
            start_local(settings)
        with console.status("synthesising the small county…"):
            summary = synthesize(data_dir, seed, "small")
        console.print(f"synthesised {summary.residents:,} residents, {summary.rows:,} rows in {data_dir}")
        with connect(settings) as driver:
            migrate_schema(driver, settings)
            report = load_paths(settings, driver, [data_dir], rejects_dir=data_dir / "rejects")
            print_report(report)
            print_stats(graph_stats(driver, settings.neo4j_database))
        console.print(f"[green]ready:[/green] Neo4j at {settings.neo4j_uri or 'bolt://127.0.0.1:%d' % settings.bolt_port}; "
                      f"planted findings are listed in {data_dir / 'labels' / 'labels.jsonl'}")
