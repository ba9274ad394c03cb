"""Notifications by mail, and the overdue-report check that raises them (the `notify` job).

A notification is in the graph from the moment its cause is written (resolvers/
notifications.py); this job mails the pending ones to the county's SMTP server. A mail
server that is down or refuses leaves the notification pending with a later retry time
(doubling, at most MAX_BACKOFF); it is never dropped, and the inbox shows it meanwhile.
A recipient without a mail address (settings.notification_addresses_file) has the inbox only."""

from __future__ import annotations

import smtplib
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction

from domain.reports import OPEN_REPORT, ReportStatus
from settings import Settings

FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 200

# Each overdue report's assignee is told once (the report keeps when).
OVERDUE_REPORTS = """
MATCH (r:Report)
WHERE r.status IN $open AND r.due_date < $today AND r.assignee IS NOT NULL AND r.overdue_notified_at IS NULL
SET r.overdue_notified_at = datetime($now)
CREATE (:Notification {notification_id: randomUUID(), recipient: r.assignee, kind: 'report_overdue',
                       about: r.report_id, created_at: datetime($now), read_at: null,
                       mail_status: 'pending', mail_attempts: 0, next_mail_at: datetime($now)})
RETURN count(r) AS notified
"""

PENDING_MAIL = """
MATCH (n:Notification)
WHERE n.mail_status = 'pending' AND n.next_mail_at <= datetime($now)
RETURN n {.*, created_at: toString(n.created_at)} AS notification
ORDER BY n.next_mail_at, n.notification_id
LIMIT $limit
"""

MAIL_DONE = """
MATCH (n:Notification {notification_id: $notification_id})
SET n.mail_status = $status, n.mailed_at = datetime($now), n.mail_error = null
"""

MAIL_RETRY = """
MATCH (n:Notification {notification_id: $notification_id})
SET n.mail_attempts = n.mail_attempts + 1, n.next_mail_at = datetime($next), n.mail_error = $error
"""

SUBJECTS = {
    "finding_assign": "分派给您的线索 / A finding was assigned to you",
    "report_assign": "分派给您的举报 / A report was assigned to you",
    "report_overdue": "举报已超过办理期限 / A report is overdue",
    "investigation_hand_over": "移交给您的核查案卷 / An investigation was handed over to you",
}


@dataclass(frozen=True)
class MailReport:
    overdue: int
    sent: int
    no_address: int
    retrying: int


def read_addresses(path: Path) -> dict[str, str]:
    """subject = "address" lines; a missing file: nobody has mail, everyone the inbox."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str) and "@" in v}


def _message(settings: Settings, to: str, n: dict[str, Any]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = f"[reliefgraph] {SUBJECTS.get(n['kind'], n['kind'])}"
    # Ids only: what the finding, report or investigation says stays behind the workbench's login.
    msg.set_content(
        f"{SUBJECTS.get(n['kind'], n['kind'])}: {n['about']}\n"
        f"({n['created_at']})\n\n请登录工作台查看。Open the workbench to see it.\n"
    )
    return msg


def _send(settings: Settings, messages: list[EmailMessage]) -> None:
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        for m in messages:
            smtp.send_message(m)


def backoff(attempts: int) -> timedelta:
    return min(FIRST_BACKOFF * (2**attempts), MAX_BACKOFF)


def _write(driver: Driver, db: str, cypher: str, **params: Any) -> None:
    def work(tx: ManagedTransaction) -> None:
        tx.run(cypher, params).consume()

    with driver.session(database=db) as session:
        session.execute_write(work)


def notify(driver: Driver, settings: Settings, now: datetime, today: date | None = None) -> MailReport:
    db = settings.neo4j_database
    stamp = now.isoformat()

    def overdue(tx: ManagedTransaction) -> int:
        open_statuses = [str(s) for s in (*OPEN_REPORT, ReportStatus.INVESTIGATING)]
        record = tx.run(OVERDUE_REPORTS, open=open_statuses, today=today or now.date(), now=stamp).single()
        return int(record["notified"]) if record else 0

    def pending(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [r["notification"] for r in tx.run(PENDING_MAIL, now=stamp, limit=BATCH)]

    with driver.session(database=db) as session:
        raised = session.execute_write(overdue)
        due = session.execute_read(pending)
    addresses = read_addresses(settings.notification_addresses_file)
    sent = no_address = retrying = 0
    for n in due:
        to = addresses.get(n["recipient"])
        if to is None or settings.smtp_host is None:
            status, error = ("none", None) if to is None else ("pending", "no SMTP server configured")
        else:
            try:
                _send(settings, [_message(settings, to, n)])
                status, error = "sent", None
            except (OSError, smtplib.SMTPException) as exc:
                status, error = "pending", f"{type(exc).__name__}: {exc}"[:300]
        if status == "pending":
            retrying += 1
            next_at = (now + backoff(int(n.get("mail_attempts") or 0))).isoformat()
            _write(driver, db, MAIL_RETRY, notification_id=n["notification_id"], next=next_at, error=error)
        else:
            sent += status == "sent"
            no_address += status == "none"
            _write(driver, db, MAIL_DONE, notification_id=n["notification_id"], status=status, now=stamp)
    return MailReport(overdue=raised, sent=sent, no_address=no_address, retrying=retrying)
