"""`detect` and `evaluate`: finding duplicate claims, linked fraud and coverage gaps."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from detection.evaluate import MATCH_JACCARD, dates_disagree, read_labels, score
from detection.findings_read import current_findings
from detection.rules import DetectionRulesError, read_rules
from detection.run import KindReport, run_detection, township_households
from detection.scope import affected_households, delta_feeds
from domain.finding_kinds import FindingKind
from graph.migrations import migrate
from loaders.feeds import UnknownFeed
from loaders.reading import FileFormatError
from loaders.run import Loader
from reliefgraph.commands.connection import connect
from settings import Settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def _kinds(values: list[str] | None) -> list[FindingKind]:
    if not values:
        return list(FindingKind)
    try:
        return [FindingKind(v.strip().upper()) for v in values]
    except ValueError:
        errors.print(f"[red]unknown kind in {values}[/red]; known: {', '.join(k.value for k in FindingKind)}")
        raise typer.Exit(2) from None


def print_detection(reports: list[KindReport], scope: str) -> None:
    table = Table(title=f"detection ({scope})")
    for column in ("kind", "found", "new", "reopened", "resolved", "seconds"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for r in reports:
        if r.skipped:
            table.add_row(r.kind, "unchanged", "", "", "", "", style="dim")
            continue
        table.add_row(
            r.kind,
            "failed" if r.error else f"{r.found:,}",
            f"{r.new:,}",
            f"{r.reopened:,}",
            f"{r.resolved:,}",
            f"{r.seconds:.2f}",
            style="red" if r.error else "",
        )
    table.add_row(
        "total",
        f"{sum(r.found for r in reports):,}",
        f"{sum(r.new for r in reports):,}",
        f"{sum(r.reopened for r in reports):,}",
        f"{sum(r.resolved for r in reports):,}",
        f"{sum(r.seconds for r in reports):.2f}",
    )
    console.print(table)


def _exit_on_failures(reports: list[KindReport]) -> None:
    """Every kind ran; the ones that failed are named, one line each, and the exit is non-zero."""
    failed = [r for r in reports if r.error]
    for r in failed:
        errors.print(
            f"[red]{r.kind} failed:[/red] {r.error} (its earlier findings are kept; the other kinds ran)"
        )
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    @app.command("detect")
    def detect_command(
        ctx: typer.Context,
        kind: Annotated[list[str] | None, typer.Option("--kind", help="only this kind (repeatable)")] = None,
        township: Annotated[str | None, typer.Option(help="only households of this township code")] = None,
        changed: Annotated[
            list[Path] | None,
            typer.Option(
                "--changed",
                exists=True,
                help="incremental: only what the rows of these just-loaded files can affect (repeatable)",
            ),
        ] = None,
        as_of: Annotated[str | None, typer.Option(help="detection date YYYY-MM-DD (default: today)")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
    ) -> None:
        """Find duplicate claims, linked fraud and coverage gaps; store them as findings."""
        settings: Settings = ctx.obj
        kinds = _kinds(kind)
        try:
            rules = read_rules(settings.detection_rules_file)
            day = date.fromisoformat(as_of) if as_of else date.today()
        except (DetectionRulesError, ValueError) as exc:
            errors.print(f"[red]cannot detect:[/red] {exc}")
            raise typer.Exit(2) from None
        with connect(settings) as driver:
            migrate(driver, settings.neo4j_database)
            households, feeds, scope = None, None, "whole county"
            try:
                if changed:
                    # The keys as the loader validates them; nothing is written (no rejects file).
                    keys = Loader(driver, settings, rejects_dir=settings.state_dir / "rejects").changed_keys(
                        changed
                    )
                    households = affected_households(driver, settings.neo4j_database, keys)
                    feeds = delta_feeds(changed)
                    scope = f"incremental: {len(households):,} households affected by {len(changed)} file(s)"
                if township:
                    in_township = township_households(driver, settings.neo4j_database, township)
                    households = (
                        in_township if households is None else sorted(set(households) & set(in_township))
                    )
                    scope = f"township {township}" + (f", {scope}" if changed else "")
            except (FileFormatError, UnknownFeed) as exc:
                errors.print(f"[red]cannot detect:[/red] {exc}")
                raise typer.Exit(2) from None
            if as_json:
                reports = run_detection(
                    driver,
                    settings.neo4j_database,
                    rules,
                    as_of=day,
                    kinds=kinds,
                    households=households,
                    feeds=feeds,
                )
                print(
                    json.dumps(
                        {"scope": scope, "as_of": day.isoformat(), "kinds": [r.as_dict() for r in reports]},
                        indent=2,
                        ensure_ascii=False,
                    )
                )
                _exit_on_failures(reports)
                return
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("detecting", total=len(kinds))

                def advance(report: KindReport) -> None:
                    progress.update(task, advance=1, description=f"{report.kind}: {report.found:,}")

                reports = run_detection(
                    driver,
                    settings.neo4j_database,
                    rules,
                    as_of=day,
                    kinds=kinds,
                    households=households,
                    feeds=feeds,
                    on_kind=advance,
                )
        print_detection(reports, scope)
        _exit_on_failures(reports)

    @app.command("evaluate")
    def evaluate_command(
        ctx: typer.Context,
        labels: Annotated[
            Path, typer.Argument(exists=True, help="labels.jsonl of a synthetic county (or its folder)")
        ],
        as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
    ) -> None:
        """Precision, recall and F1 per kind: the stored findings against a synthetic county's labels."""
        settings: Settings = ctx.obj
        answer_key = read_labels(labels)
        near_misses = read_labels(labels, "near_misses.jsonl")
        with connect(settings) as driver:
            findings = current_findings(driver, settings.neo4j_database)
        if (mismatch := dates_disagree(findings, answer_key)) is not None:
            errors.print(f"[red]cannot evaluate:[/red] {mismatch}")
            raise typer.Exit(2)
        scores = score(findings, answer_key, near_misses)
        if as_json:
            print(json.dumps([s.as_dict() for s in scores], indent=2))
            return
        table = Table(title=f"findings against {labels}")
        for column in ("kind", "findings", "labels", "precision", "recall", "F1"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        for s in scores:
            style = "" if s.precision >= 0.95 and s.recall >= 0.95 else "red"
            table.add_row(
                s.kind,
                f"{s.findings:,}",
                f"{s.labels:,}",
                f"{s.precision:.3f}",
                f"{s.recall:.3f}",
                f"{s.f1:.3f}",
                style=style,
            )
        console.print(table)
        for s in scores:
            for note in s.near_misses_hit:
                console.print(f"[red]{s.kind}: a finding agrees with a near miss: {note}[/red]")
        console.print(
            f"A finding matches a label when their deciding keys have Jaccard ≥ {MATCH_JACCARD}, "
            "one to one (detection/evaluate.py)."
        )
