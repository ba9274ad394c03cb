"""Dishonesty records drop off on their own at the end of their publicity (DOMAIN.md §9):
each due record takes the EXPIRE step, which also puts an `expired` change on the feed."""

from __future__ import annotations

from datetime import date
from typing import Any

from neo4j import Driver, ManagedTransaction

from credit.records import DUE_TO_EXPIRE, STEP, CreditStep, step_parameters

EXPIRY_JOB = "credit-expiry"


def apply_step(
    driver: Driver,
    database: str,
    record_id: str,
    step: CreditStep,
    expected_version: int,
    *,
    by: str,
    role: str,
    changes: dict[str, Any],
    note: str | None = None,
) -> dict[str, Any] | None:
    """The same guarded step the API takes (credit.records.credit_step), from a job."""
    parameters = step_parameters(
        record_id, step, expected_version, by=by, role=role, note=note, changes=changes
    )

    def work(tx: ManagedTransaction) -> dict[str, Any] | None:
        record = tx.run(STEP, parameters).single()
        return record.data() if record else None

    with driver.session(database=database) as session:
        return session.execute_write(work)


def expire_due(driver: Driver, database: str, today: date) -> list[str]:
    """Expire every published record whose publicity ended before today; returns their ids."""
    records, _, _ = driver.execute_query(DUE_TO_EXPIRE, today=today, database_=database)
    expired = []
    for r in records:
        row = apply_step(
            driver,
            database,
            r["record_id"],
            CreditStep.EXPIRE,
            r["version"],
            by=EXPIRY_JOB,
            role="system",
            changes={"expired_on": today},
            note="maximum publicity period reached",
        )
        if row and row["ok"]:
            expired.append(r["record_id"])
    return expired
