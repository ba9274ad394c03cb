"""`migrate`, `load` and `stats`: the graph's schema and contents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from neo4j import Driver
from neo4j.exceptions import DriverError, Neo4jError
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from graph.migrations import LATEST_VERSION, migrate
from graph.stats import GraphStats, graph_stats
from loaders.feeds import UnknownFeed
from loaders.headers import HeaderAliasError
from loaders.reading import FileFormatError
from loaders.reference import RuleFileError
from loaders.rejects import RejectsDirectoryError
from loaders.run import Loader, LoadReport
from reliefgraph.commands.connection import connect
from reliefgraph.progress import RichLoadProgress
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def migrate_schema(driver: Driver, settings: Settings) -> None:
    applied = migrate(driver, settings.neo4j_database)
    for m in applied:
        console.print(f"schema migration {m.version} applied: {m.description}")
    console.print(f"schema at version {LATEST_VERSION}")


def print_report(report: LoadReport) -> None:
    table = Table(title="load summary")
    for column in ("feed", "file", "encoding", "rows", "loaded", "rejected", "duplicates", "rows/s"):
        # Nothing is cut: a file's rejects are traced by its name (a log is 80 columns wide).
        table.add_column(
            column,
            justify="right" if column in {"rows", "loaded", "rejected", "duplicates", "rows/s"} else "left",
            no_wrap=True,
        )
    for f in report.files:
        table.add_row(
            f.feed,
            f.path.name,
            f.encoding,
            f"{f.rows:,}",
            f"{f.loaded:,}",
            f"{f.rejected:,}",
            f"{f.duplicates:,}",
            f"{f.rows_per_second:,.0f}",
        )
    table.add_row(
        "total",
        "",
        "",
        f"{report.rows:,}",
        f"{report.loaded:,}",
        f"{report.rejected:,}",
        "",
        f"{report.rows / report.seconds:,.0f}" if report.seconds else "",
    )
    # As wide as the table needs: a narrower console (a log is 80 columns) cut the file names
    # (househ…), so that rejects could not be traced to their file. Rich caps any renderable
    # at its console's width, hence a console of that width on the same output.
    needed = Measurement.get(console, console.options.update_width(10_000), table).maximum
    wide = Console(
        file=console.file,
        width=max(console.width, needed),
        force_terminal=console.is_terminal,
        color_system=console.color_system,  # type: ignore[arg-type]  # the same system's name
    )
    wide.print(table)
    for f in report.files:
        if f.rejects_file is not None:
            console.print(f"rejects for {f.path.name}: {f.rejects_file}")


SUFFIXES = ("*.csv", "*.jsonl", "*.xlsx", "*.xls")


def export_files(paths: list[Path]) -> list[Path]:
    files = sorted(
        p
        for path in paths
        for p in ([path] if path.is_file() else [q for pattern in SUFFIXES for q in path.glob(pattern)])
    )
    if not files:
        errors.print(f"[red]no .csv, .jsonl, .xlsx or .xls files in {', '.join(map(str, paths))}[/red]")
        raise typer.Exit(2)
    return files


def dry_run(settings: Settings, paths: list[Path], feed: str | None, encoding: str | None) -> None:
    """What a load would do, file by file, writing nothing."""
    try:
        checked = Loader(None, settings, rejects_dir=Path(".")).check(  # type: ignore[arg-type]  # writes nothing
            export_files(paths),
            feed=feed,
            encoding=encoding,
        )
    except (FileFormatError, UnknownFeed, RuleFileError, HeaderAliasError) as exc:
        errors.print(f"[red]would load nothing:[/red] {exc}")
        raise typer.Exit(2) from None
    for summary, rejects in checked:
        console.print(
            f"[bold]{summary.path}[/bold]: feed {summary.feed}, {summary.encoding}, "
            f"{summary.rows:,} rows: {summary.loaded:,} valid, {summary.rejected:,} rejected"
        )
        for header, column in summary.renamed.items():
            console.print(f"  column {header!r} read as {column}")
        for r in rejects:
            console.print(f"  line {r.line}: {r.field}: {r.reason}" + (f" ({r.value!r})" if r.value else ""))
    console.print("dry run: nothing was written")


def load_paths(
    settings: Settings,
    driver: Driver,
    paths: list[Path],
    feed: str | None = None,
    encoding: str | None = None,
    rejects_dir: Path = Path("rejects"),
) -> LoadReport:
    files = export_files(paths)
    try:
        loader = Loader(driver, settings, rejects_dir=rejects_dir)
        with RichLoadProgress(console) as progress:
            return loader.load(files, feed=feed, encoding=encoding, progress=progress)
    except (FileFormatError, UnknownFeed, RuleFileError, HeaderAliasError) as exc:
        errors.print(f"[red]nothing loaded:[/red] {exc}")
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    def migrate_command(ctx: typer.Context) -> None:
        """Apply the graph schema's constraints and indexes (idempotent, versioned)."""
        settings: Settings = ctx.obj
        with connect(settings) as driver:
            migrate_schema(driver, settings)

    @app.command("load")
    def load_command(
        ctx: typer.Context,
        paths: Annotated[list[Path], typer.Argument(exists=True, help="export files, or folders of them")],
        feed: Annotated[
            str | None, typer.Option(help="the feed of every file, when names do not say")
        ] = None,
        encoding: Annotated[
            str | None, typer.Option(help="force an encoding (default: UTF-8, else GB18030)")
        ] = None,
        rejects_dir: Annotated[Path, typer.Option(help="where rejected rows are written")] = Path("rejects"),
        detect: Annotated[
            bool,
            typer.Option(
                "--detect/--no-detect", help="then re-detect findings for what the loaded rows can affect"
            ),
        ] = False,
        dry: Annotated[
            bool,
            typer.Option("--dry-run", help="read and validate, print what a load would do, write nothing"),
        ] = False,
    ) -> None:
        """Load department exports (CSV in UTF-8 or GBK/GB18030, JSON Lines, or .xlsx/.xls)."""
        settings: Settings = ctx.obj
        if dry:
            dry_run(settings, paths, feed, encoding)
            return
        with connect(settings) as driver:
            migrate(driver, settings.neo4j_database)
            try:
                report = load_paths(settings, driver, paths, feed, encoding, rejects_dir)
            except RejectsDirectoryError as exc:
                errors.print(f"[red]nothing loaded:[/red] {exc}")
                raise typer.Exit(2) from None
            except (Neo4jError, DriverError) as exc:
                message = " ".join((getattr(exc, "message", None) or str(exc) or type(exc).__name__).split())
                errors.print(
                    f"[red]load stopped: Neo4j failed ({type(exc).__name__}: {message}).[/red] "
                    "Run the same command again when it is back: batches already written are merged, "
                    "not duplicated."
                )
                raise typer.Exit(1) from None
            except OSError as exc:  # disk full or read-only while writing rejects
                errors.print(
                    f"[red]load stopped: {exc.strerror or exc} ({exc.filename or 'rejects'}).[/red] "
                    "Free the space or fix the directory and run the same command again: batches "
                    "already written are merged, not duplicated."
                )
                raise typer.Exit(1) from None
            print_report(report)
            if detect:
                # Imported here: detection loads Splink and DuckDB, which a plain load does not need.
                from detection.rules import read_rules
                from detection.run import run_detection
                from detection.scope import affected_households, delta_feeds
                from reliefgraph.commands.detection import print_detection

                files = [f.path for f in report.files]
                scope = affected_households(driver, settings.neo4j_database, report.changed_keys())
                reports = run_detection(
                    driver,
                    settings.neo4j_database,
                    read_rules(settings.detection_rules_file),
                    households=scope,
                    feeds=delta_feeds(files) if feed is None else {feed},
                )
                print_detection(reports, f"incremental: {len(scope):,} households affected by the load")

    @app.command("stats")
    def stats_command(
        ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False
    ) -> None:
        """Node counts by label and relationship counts by type."""
        settings: Settings = ctx.obj
        with connect(settings) as driver:
            stats = graph_stats(driver, settings.neo4j_database)
        if as_json:
            print(
                json.dumps(
                    {"nodes": stats.nodes, "relationships": stats.relationships}, indent=2, sort_keys=True
                )
            )
            return
        print_stats(stats)


def print_stats(stats: GraphStats) -> None:
    nodes = Table(title=f"nodes ({stats.total_nodes:,})")
    nodes.add_column("label")
    nodes.add_column("count", justify="right")
    for label, count in stats.nodes.items():
        nodes.add_row(label, f"{count:,}")
    rels = Table(title=f"relationships ({stats.total_relationships:,})")
    rels.add_column("type")
    rels.add_column("count", justify="right")
    for rel_type, count in stats.relationships.items():
        rels.add_row(rel_type, f"{count:,}")
    console.print(nodes, rels)


def register_feeds(app: typer.Typer) -> None:
    @app.command("feeds")
    def feeds_command() -> None:
        """Print every feed's file format as Markdown (the text of docs/feeds.md)."""
        from loaders.feeds.docs import feeds_markdown

        print(feeds_markdown(), end="")
