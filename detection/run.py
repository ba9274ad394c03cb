"""One detection run: each requested kind detected, stored and timed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from neo4j import Driver

from detection.context import DetectionContext
from detection.registry import COUNTY_WIDE, DETECTORS, FEEDS_READ
from detection.rules import DetectionRules
from detection.store import store
from domain.finding_kinds import FindingKind

log = logging.getLogger(__name__)

TOWNSHIP_HOUSEHOLDS = "MATCH (h:Household {township_code: $township}) RETURN h.household_id AS household"


@dataclass(frozen=True)
class KindReport:
    kind: str
    found: int
    new: int
    reopened: int
    resolved: int
    seconds: float
    error: str | None = None  # this kind failed; its stored findings are as they were
    skipped: bool = False  # the delta held no feed this kind reads; its findings are as they were

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "found": self.found,
            "new": self.new,
            "reopened": self.reopened,
            "resolved": self.resolved,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "skipped": self.skipped,
        }


def township_households(driver: Driver, database: str, township: str) -> list[str]:
    records, _, _ = driver.execute_query(TOWNSHIP_HOUSEHOLDS, township=township, database_=database)
    return [r["household"] for r in records]


def run_detection(
    driver: Driver,
    database: str,
    rules: DetectionRules,
    *,
    as_of: date | None = None,
    kinds: Iterable[FindingKind] | None = None,
    households: list[str] | None = None,
    feeds: Iterable[str] | None = None,
    on_kind: Callable[[KindReport], None] | None = None,
) -> list[KindReport]:
    """Detect, store and time each kind; `households` limits the run (incremental or by township),
    `feeds` names the feeds of an incremental run's delta (kinds reading none of them are skipped)."""
    as_of = as_of or date.today()
    now = datetime.now(UTC)
    delta_feeds = None if feeds is None or households is None else frozenset(feeds)
    reports = []
    for kind in kinds or list(FindingKind):
        if delta_feeds is not None and kind in FEEDS_READ and not FEEDS_READ[kind] & delta_feeds:
            reports.append(KindReport(kind.value, 0, 0, 0, 0, 0.0, skipped=True))
            if on_kind is not None:
                on_kind(reports[-1])
            continue
        scope = None if kind in COUNTY_WIDE else households
        ctx = DetectionContext(driver, database, rules, as_of, scope)
        started = time.perf_counter()
        try:
            situations = DETECTORS[kind](ctx)
            result = store(driver, database, kind, situations, now, scope, as_of=as_of)
        except Exception as exc:  # noqa: BLE001 - one kind's failure must not cost the others theirs
            # The report carries the one-line reason; the traceback is for a configured log.
            log.info("detection of %s failed", kind.value, exc_info=True)
            report = KindReport(
                kind.value, 0, 0, 0, 0, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}"
            )
        else:
            report = KindReport(
                kind.value,
                result.found,
                result.new,
                result.reopened,
                result.resolved,
                time.perf_counter() - started,
            )
        reports.append(report)
        if on_kind is not None:
            on_kind(report)
    return reports
