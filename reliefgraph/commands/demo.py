"""`reliefgraph demo`: the README's main command, from nothing to a loaded county."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from neo4j import Driver
from rich.console import Console

from detection.rules import read_rules
from detection.run import run_detection
from domain.reports import ReportCategory, ReportChannel
from graph.stats import graph_stats
from reliefgraph.commands.connection import connect
from reliefgraph.commands.data import load_paths, migrate_schema, print_report, print_stats
from reliefgraph.commands.demo_content import prepare_demo_work
from reliefgraph.commands.detection import print_detection
from reliefgraph.commands.neo4j_server import start_local
from reliefgraph.commands.serve import (
    EXAMPLE_FINDINGS,
    EXAMPLE_QUERY,
    ensure_demo_keys,
    listen_problem,
    running_api,
    serve,
)
from resolvers.reports import CREATE_REPORT, new_report_id, new_tracking_code, tracking_hash
from settings import Settings
from settings.casework_rules import read_casework_rules
from synth.county import synthesize
from synth.population import AS_OF

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal width


def demo_report(driver: Driver, settings: Settings) -> str:
    """A report as the hotline takes it, waiting for triage; its tracking code."""
    category = ReportCategory.STAFF_MISCONDUCT
    code = new_tracking_code()
    driver.execute_query(
        CREATE_REPORT,
        report_id=new_report_id(date.today()),
        tracking_hash=tracking_hash(code),
        category=category.value,
        channel=ReportChannel.HOTLINE.value,
        summary="来电反映：村干部把低保名额给了自己的亲戚，家里有车也照样领。",
        named_text="村委会主任",
        reporter_contact=None,
        today=date.today(),
        deadline_days=read_casework_rules(settings.casework_rules_file).reports.deadline(category),
        by="demo-hotline",
        role="investigator",
        database_=settings.neo4j_database,
    )
    return code


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        ctx: typer.Context,
        data_dir: Annotated[Path, typer.Option(help="where the synthetic exports are written")] = Path(
            "demo-data"
        ),
        seed: Annotated[int, typer.Option(help="seed of the synthetic county")] = 2026,
        serve_api: Annotated[
            bool, typer.Option("--serve/--no-serve", help="serve the API at the end")
        ] = True,
    ) -> None:
        """Start Neo4j, synthesise the small county, load it and show what is in the graph."""
        settings: Settings = ctx.obj
        demo_settings = settings.model_copy(update={"profile": "development"})
        if serve_api:
            # A demo already serving has done all of this: say where, and leave it be.
            if (already := running_api(settings)) is not None:
                console.print(
                    f"a demo already serves the API at {already.url}/graphql (pid {already.pid}); "
                    f"open {already.url}/workbench/ or stop it with Ctrl-C where it runs"
                )
                return
            if (problem := listen_problem(demo_settings.host, demo_settings.port)) is not None:
                errors.print(f"[red]cannot serve the demo:[/red] {problem}")
                raise typer.Exit(1)
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
            # As of the exports' date, so the findings are exactly the labelled ones.
            with console.status("detecting duplicate claims, linked fraud and coverage gaps…"):
                reports = run_detection(
                    driver, settings.neo4j_database, read_rules(settings.detection_rules_file), as_of=AS_OF
                )
            print_detection(reports, f"whole county, as of {AS_OF}")
            code = demo_report(driver, settings)
        # Something on every role's page: publicity, dishonesty records, the credit feed.
        work = prepare_demo_work(settings)
        console.print(work.describe() if work else "demo work: done by an earlier demo, kept")
        console.print(f"a hotline report waits for triage; its reporter's tracking code: {code}")
        console.print(
            f"planted findings are listed in {data_dir / 'labels' / 'labels.jsonl'}; compare with "
            f"`reliefgraph evaluate {data_dir / 'labels' / 'labels.jsonl'}`"
        )
        if not serve_api:
            return
        ensure_demo_keys(demo_settings)
        url = f"http://{demo_settings.host}:{demo_settings.port}/graphql"
        console.print(
            f"\n[green]serving the API[/green] at {url} (development profile: GraphiQL on, "
            "demo keys accepted). Ctrl-C stops the API; Neo4j keeps running."
        )
        console.print(
            f"[green]investigator workbench[/green]: http://{demo_settings.host}:{demo_settings.port}"
            "/workbench/ (sign in with rg_demo_investigator); the public report form: "
            f"http://{demo_settings.host}:{demo_settings.port}/report (docs/investigations.md). Or try:"
        )
        for query in (EXAMPLE_QUERY, EXAMPLE_FINDINGS):
            body = json.dumps({"query": query}, ensure_ascii=False)
            print(
                f"  curl -s {url} -H 'Authorization: Bearer rg_demo_investigator' "
                f"-H 'Content-Type: application/json' -d '{body}'",
                flush=True,
            )
        print(flush=True)
        serve(demo_settings, None, None)
