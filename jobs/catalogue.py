"""The jobs a county runs on a schedule, each a call into its service (never a resolver):
what it does and the counts its run records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from credit.catalogue import read_catalogue
from detection.rules import read_rules
from detection.run import run_detection
from graph.driver import open_driver
from graph.migrations import migrate
from jobs.backup import create as create_backup
from jobs.credit_expiry import expire_due
from jobs.credit_export import HttpSink, OutboxSink, export_changes
from jobs.monthly_report import monthly_report as build_monthly_report
from jobs.monthly_report import previous_month, write_report
from jobs.notify_mail import notify as notify_by_mail
from settings import Settings


class JobFailed(RuntimeError):
    """The job ran but did not do all it should (the message says what)."""


def detect(settings: Settings) -> dict[str, Any]:
    """Full detection over the county (nightly); incremental runs follow loads (`load --detect`)."""
    with open_driver(settings) as driver:
        migrate(driver, settings.neo4j_database)
        reports = run_detection(
            driver, settings.neo4j_database, read_rules(settings.detection_rules_file), as_of=date.today()
        )
    failed = [r.kind for r in reports if r.error]
    if failed:
        raise JobFailed(f"detection failed for {', '.join(failed)} (the other kinds were stored)")
    return {"findings": sum(r.found for r in reports), "new": sum(r.new for r in reports)}


def credit_export(settings: Settings) -> dict[str, Any]:
    """Every credit change since the last acknowledged one, to the platform (or the outbox)."""
    token = settings.credit_export_token.get_secret_value() if settings.credit_export_token else None
    sink = (
        HttpSink(
            settings.credit_export_url,
            token,
            settings.credit_export_timeout_s,
            settings.credit_export_attempts,
        )
        if settings.credit_export_url
        else OutboxSink(settings.credit_export_outbox)
    )
    try:
        with open_driver(settings) as driver:
            migrate(driver, settings.neo4j_database)
            expired = expire_due(driver, settings.neo4j_database, date.today())
            report = export_changes(
                driver,
                settings.neo4j_database,
                sink,
                settings.credit_export_batch_size,
                catalogue=read_catalogue(settings.credit_catalogue_file),
            )
    finally:
        if isinstance(sink, HttpSink):
            sink.close()
    if report.open_dead_letters:
        raise JobFailed(
            f"{report.open_dead_letters} refused records wait in the dead letters "
            f"({report.records} changes accepted, {report.refused} refused in this run)"
        )
    return {"records": report.records, "batches": report.batches, "expired": len(expired)}


def credit_expiry(settings: Settings) -> dict[str, Any]:
    """Dishonesty records whose maximum publicity has ended drop off (daily)."""
    with open_driver(settings) as driver:
        expired = expire_due(driver, settings.neo4j_database, date.today())
    return {"expired": len(expired)}


def backup(settings: Settings) -> dict[str, Any]:
    """A dump of the local database with its manifest, keeping the newest `backup_keep`."""
    made = create_backup(settings, settings.backup_dir, keep=settings.backup_keep)
    return {"file": made.dump.name, "bytes": made.bytes, "unavailable_s": made.unavailable_s}


def notify(settings: Settings) -> dict[str, Any]:
    """Overdue reports' assignees told, and pending notifications mailed (every few minutes)."""
    with open_driver(settings) as driver:
        report = notify_by_mail(driver, settings, datetime.now(UTC))
    return {
        "overdue": report.overdue,
        "sent": report.sent,
        "no_address": report.no_address,
        "retrying": report.retrying,
    }


def monthly_report(settings: Settings) -> dict[str, Any]:
    """Last month's township report (定期通报), into the state folder's reports/ (monthly)."""
    month = previous_month(date.today())
    with open_driver(settings) as driver:
        report = build_monthly_report(driver, settings, read_rules(settings.detection_rules_file), month)
    xlsx, _ = write_report(report, settings.state_dir / "reports")
    return {"month": month, "townships": len(report.rows), "file": xlsx.name}


JOBS: dict[str, Callable[[Settings], dict[str, Any]]] = {
    "notify": notify,
    "detect": detect,
    "credit-export": credit_export,
    "credit-expiry": credit_expiry,
    "backup": backup,
    "monthly-report": monthly_report,
}
