"""Findings in the graph, and their lifecycle under repeated detection.

The same situation (kind and key) is always the same Finding node. A run updates what it
finds; a dismissed finding reopens only when its evidence changed (fingerprint); a finding
the run no longer finds (in its scope) is closed as resolved; confirmed findings are
history and stay as they are. Every status change by detection is logged as a
FindingEvent, like the investigators' own steps.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from string import Template
from typing import Any

from neo4j import Driver, ManagedTransaction

from detection.situation import Situation
from domain.finding_kinds import FINDING_LIFECYCLE, FindingKind, FindingStep
from graph.model import FACT_LABELS, KEY_PROPERTY, Label

# The labels a finding's evidence may name, each by its natural key.
EVIDENCE_LABELS = (
    Label.PERSON,
    Label.HOUSEHOLD,
    Label.ENROLLMENT,
    Label.PAYMENT,
    Label.BANK_ACCOUNT,
    Label.PHONE,
    Label.ADDRESS,
    Label.CASE,
    Label.TOWNSHIP,
    Label.VILLAGE,
    Label.VISIT,
    Label.PAYMENT_LINE,
    Label.BANK_RETURN,
    Label.ALLOCATION,
    *FACT_LABELS,
)

# One statement per evidence label, from the Label enum (labels cannot be parameters).
_LINK = Template("""
UNWIND $$links AS l
MATCH (f:Finding {finding_id: l.finding_id})
MATCH (n:$label {$key: l.key})
MERGE (f)-[r:EVIDENCE {role: l.role}]->(n)
SET r.label = '$label', r.key = l.key
""")
LINK_EVIDENCE = {
    label: _LINK.substitute(label=label.value, key=KEY_PROPERTY[label]) for label in EVIDENCE_LABELS
}

UPSERT = """
UNWIND $findings AS x
MERGE (f:Finding {finding_id: x.finding_id})
ON CREATE SET f.kind = x.kind, f.key = x.key, f.first_detected_at = $now, f.version = 1
WITH f, x, f.fingerprint AS before_fp, f.status AS before
SET f.score = x.score, f.explanation = x.explanation, f.explanation_en = x.explanation_en,
    f.township_code = x.township_code, f.village_code = x.village_code, f.amount_fen = x.amount_fen,
    f.households = x.households, f.persons = x.persons, f.details = x.details,
    f.detected_at = $now, f.run_id = $run_id, f.fingerprint = x.fingerprint, f.as_of = $as_of,
    f.origin = $origin
WITH f, x, before, before_fp, before_fp IS NULL OR before_fp <> x.fingerprint AS changed
WITH f, x, before, changed,
     CASE WHEN before IS NULL OR before IN $reopen.allowed_from THEN $reopen.to
          WHEN before IN $revise.allowed_from AND changed THEN $revise.to
          ELSE f.status END AS after
SET f.status = after
WITH f, before, after, changed
CALL (f, before, after) {
  WITH f, before, after WHERE before IS NULL OR before <> after
  SET f.version = f.version + CASE WHEN before IS NULL THEN 0 ELSE 1 END
  CREATE (f)-[:HAS_EVENT]->(:FindingEvent {event_id: randomUUID(), at: $now, by: 'detection', role: 'system',
      action: CASE WHEN before IS NULL THEN 'detected' ELSE 'reopened' END, from_status: before,
      to_status: after,
      note: CASE WHEN before IN $revise.allowed_from THEN 'the evidence changed since it was dismissed' END})
}
CALL (f, changed) {
  WITH f WHERE changed
  MATCH (f)-[old:EVIDENCE]->()
  DELETE old
}
RETURN f.finding_id AS finding_id, before, after, changed
"""

# Active findings of a kind within the run's scope that the run did not find again. A county's
# own detection and the province's cross-county findings (province/writeback.py) each close
# only their own: the origin says which wrote a finding.
RESOLVE = """
MATCH (f:Finding {kind: $kind})
WHERE f.status IN $allowed_from AND f.run_id <> $run_id AND coalesce(f.origin, 'county') = $origin
  AND ($households IS NULL OR any(h IN f.households WHERE h IN $households))
WITH f, f.status AS before
SET f.status = $to, f.resolved_at = $now, f.version = f.version + 1
CREATE (f)-[:HAS_EVENT]->(:FindingEvent {event_id: randomUUID(), at: $now, by: 'detection', role: 'system',
    action: 'resolved', from_status: before, to_status: $to, note: 'the situation is no longer in the data'})
RETURN count(f) AS resolved
"""


@dataclass(frozen=True)
class StoreResult:
    kind: str
    found: int
    new: int
    reopened: int
    resolved: int
    unchanged: int


def _row(s: Situation) -> dict[str, Any]:
    return {
        "finding_id": s.finding_id,
        "kind": s.kind.value,
        "key": s.key,
        "score": s.score,
        "explanation": s.explanation,
        "explanation_en": s.explanation_en,
        "township_code": s.township_code,
        "village_code": s.village_code,
        "amount_fen": s.amount_fen,
        "households": s.households,
        "persons": s.persons,
        "details": json.dumps(s.details, ensure_ascii=False, sort_keys=True, default=str),
        "fingerprint": s.fingerprint,
    }


def store(
    driver: Driver,
    database: str,
    kind: FindingKind,
    situations: list[Situation],
    now: Any,
    households: list[str] | None,
    batch_size: int = 500,
    as_of: date | None = None,
    origin: str = "county",
) -> StoreResult:
    """Write one kind's situations and close the kind's findings the run no longer sees
    (of its origin: the county's detection, or the province's findings written back)."""
    run_id = uuid.uuid4().hex
    unique = {s.finding_id: s for s in situations}  # one situation per finding
    counts = {"new": 0, "reopened": 0, "unchanged": 0}
    rows = [_row(s) for s in unique.values()]

    def upsert(tx: ManagedTransaction, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result = tx.run(
            UPSERT,
            findings=batch,
            now=now,
            run_id=run_id,
            as_of=as_of,  # the date detection judged as of, so evaluation grades like with like
            origin=origin,
            reopen=FINDING_LIFECYCLE.guard(FindingStep.REOPEN),
            revise=FINDING_LIFECYCLE.guard(FindingStep.REVISE),
        )
        outcome = [r.data() for r in result]
        changed = {o["finding_id"] for o in outcome if o["changed"]}
        links: dict[Label, list[dict[str, str]]] = defaultdict(list)
        for finding_id in changed:
            for e in unique[finding_id].evidence:
                links[Label(e.label)].append({"finding_id": finding_id, "key": e.key, "role": e.role})
        for label, items in links.items():
            tx.run(LINK_EVIDENCE[label], links=items).consume()
        return outcome

    def resolve(tx: ManagedTransaction) -> int:
        record = tx.run(
            RESOLVE,
            kind=kind.value,
            run_id=run_id,
            now=now,
            households=households,
            origin=origin,
            **FINDING_LIFECYCLE.guard(FindingStep.RESOLVE),
        ).single(strict=True)
        return int(record["resolved"])

    with driver.session(database=database) as session:
        for start in range(0, len(rows), batch_size):
            for o in session.execute_write(upsert, rows[start : start + batch_size]):
                if o["before"] is None:
                    counts["new"] += 1
                elif o["before"] != o["after"]:
                    counts["reopened"] += 1
                else:
                    counts["unchanged"] += 1
        resolved = session.execute_write(resolve)
    return StoreResult(
        kind.value, len(unique), counts["new"], counts["reopened"], resolved, counts["unchanged"]
    )
