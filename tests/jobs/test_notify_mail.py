"""Notification mail against a local SMTP server the test starts (aiosmtpd): sent once;
with the server down the notification stays pending, is retried later, and the inbox
shows it meanwhile; an overdue report's assignee is told once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from neo4j import Driver

from jobs.notify_mail import backoff, notify
from settings import Settings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mail_settings(settings: Settings, tmp_path: Path) -> Settings:
    addresses = tmp_path / "mail-addresses.toml"
    addresses.write_text('"inv-1" = "inv1@sishui.example"\n', encoding="utf-8")
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),
            "smtp_timeout_s": 5.0,
            "notification_addresses_file": addresses,
        }
    )


@pytest.fixture
def smtp(mail_settings: Settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=mail_settings.smtp_port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def notification(graph: Driver, db: str, recipient: str, about: str) -> None:
    graph.execute_query(
        "CREATE (:Notification {notification_id: randomUUID(), recipient: $r, kind: 'report_assign', "
        "about: $about, created_at: datetime($now), mail_status: 'pending', mail_attempts: 0, "
        "next_mail_at: datetime($now)})",
        r=recipient,
        about=about,
        now=NOW.isoformat(),
        database_=db,
    )


def states(graph: Driver, db: str) -> list[tuple[str, str, int]]:
    records = graph.execute_query(
        "MATCH (n:Notification) "
        "RETURN n.about AS about, n.mail_status AS status, n.mail_attempts AS attempts ORDER BY about",
        database_=db,
    ).records
    return [(r["about"], r["status"], r["attempts"]) for r in records]


def test_a_pending_notification_is_mailed_once(graph: Driver, mail_settings: Settings, smtp: Inbox) -> None:
    db = mail_settings.neo4j_database
    notification(graph, db, "inv-1", "R1")
    notification(graph, db, "inv-without-mail", "R2")
    report = notify(graph, mail_settings, NOW)
    assert (report.sent, report.no_address, report.retrying) == (1, 1, 0)
    [(to, message)] = smtp.messages
    assert to == ["inv1@sishui.example"] and "R1" in message.get_payload(decode=True).decode()
    assert states(graph, db) == [("R1", "sent", 0), ("R2", "none", 0)]
    assert notify(graph, mail_settings, NOW + timedelta(hours=1)).sent == 0  # never twice
    assert len(smtp.messages) == 1


def test_a_mail_server_that_is_down_loses_nothing(graph: Driver, mail_settings: Settings) -> None:
    db = mail_settings.neo4j_database
    notification(graph, db, "inv-1", "R1")
    down = notify(graph, mail_settings, NOW)  # nothing listens on the port
    assert (down.sent, down.retrying) == (0, 1)
    assert states(graph, db) == [("R1", "pending", 1)]
    # Not retried before its time.
    assert notify(graph, mail_settings, NOW + backoff(0) - timedelta(seconds=1)).retrying == 0
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=mail_settings.smtp_port)
    controller.start()
    try:
        back = notify(graph, mail_settings, NOW + backoff(0))
    finally:
        controller.stop()
    assert back.sent == 1 and len(inbox.messages) == 1
    assert states(graph, db) == [("R1", "sent", 1)]


def test_the_backoff_doubles_up_to_a_limit() -> None:
    assert [backoff(n) for n in range(3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(30) == timedelta(hours=6)


def test_an_overdue_reports_assignee_is_told_once(
    graph: Driver, mail_settings: Settings, smtp: Inbox
) -> None:
    db = mail_settings.neo4j_database
    graph.execute_query(
        "UNWIND [['R-LATE', 'assigned', '2026-11-01'], ['R-ONTIME', 'assigned', '2026-12-31'], "
        "        ['R-DONE', 'concluded', '2026-11-01']] AS r "
        "CREATE (:Report {report_id: r[0], status: r[1], assignee: 'inv-1', due_date: date(r[2])})",
        database_=db,
    )
    first = notify(graph, mail_settings, NOW, today=date(2026, 12, 1))
    assert (first.overdue, first.sent) == (1, 1)
    assert states(graph, db) == [("R-LATE", "sent", 0)]
    assert notify(graph, mail_settings, NOW + timedelta(days=1), today=date(2026, 12, 2)).overdue == 0
