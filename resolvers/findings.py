"""Reading and reviewing findings: lists by place, kind, status and score; the evidence
subgraph; and the investigators' steps (assign, confirm, dismiss), each one guarded write
that checks the status and the version the client saw, and logs who did it and when."""

from __future__ import annotations

import json
from typing import Any

from access.operations import Area
from access.policy import Access, DataCategory, access
from access.principal import Principal
from domain.finding_kinds import ACTIVE_STATUSES, FINDING_LIFECYCLE, FindingKind, FindingStep
from resolvers.notifications import NOTIFY_FRAGMENT
from resolvers.steps import guarded_step

GAP_KINDS = [k.value for k in FindingKind if k.value.startswith("GAP_")]
ACTIVE = [str(s) for s in ACTIVE_STATUSES]  # plain strings: the driver sends only what it knows


def finding_scope(principal: Principal, area: Area) -> dict[str, Any]:
    """The township and kinds a call reads findings of (who may call at all: access/operations.py).
    A role that may not read findings naming a person (caseworkers: never fraud findings about
    colleagues) reads coverage gaps only."""
    kinds = None if access(principal, DataCategory.FINDINGS) is Access.FULL else GAP_KINDS
    return {"township": area.township, "village": area.village, "kinds": kinds}


FINDING_LIST = """
MATCH (f:Finding)
WHERE ($kinds IS NULL OR f.kind IN $kinds)
  AND ($statuses IS NULL OR f.status IN $statuses)
  AND ($township IS NULL OR f.township_code = $township)
  AND ($village IS NULL OR f.village_code = $village)
  AND ($min_score IS NULL OR f.score >= $min_score)
WITH f, CASE $order
  WHEN 'SCORE_DESC' THEN toString(2000000 - toInteger(round(f.score * 1000000)))
  WHEN 'DETECTED_DESC' THEN toString(99999999999999 - f.first_detected_at.epochMillis / 1000)
  ELSE f.finding_id END AS k
WHERE $after_key IS NULL OR k > $after_key OR (k = $after_key AND f.finding_id > $after_id)
RETURN f {.*} AS finding, k AS sort_key
ORDER BY k, f.finding_id
LIMIT $limit
"""

FINDING_BY_ID = "MATCH (f:Finding {finding_id: $finding_id}) RETURN f {.*} AS finding"

# The evidence nodes and the relationships among them, plus the finding itself, ready to draw.
EVIDENCE_GRAPH = """
MATCH (f:Finding {finding_id: $finding_id})
OPTIONAL MATCH (f)-[r:EVIDENCE]->(n)
WITH f, collect(DISTINCT n) AS nodes, collect(r) AS links
CALL (nodes) {
  UNWIND nodes AS a
  MATCH (a)-[rel]->(b) WHERE b IN nodes
  RETURN collect(DISTINCT rel) AS among
}
RETURN elementId(f) AS finding,
  [n IN [f] + nodes | {id: elementId(n), labels: labels(n), props: properties(n)}] AS nodes,
  [r IN links | {from: elementId(startNode(r)), to: elementId(endNode(r)), type: 'EVIDENCE',
                 props: {role: r.role}}]
  + [r IN among | {from: elementId(startNode(r)), to: elementId(endNode(r)), type: type(r),
                   props: properties(r)}]
  AS edges
"""

FINDING_EVENTS = """
UNWIND $finding_ids AS finding_id
MATCH (:Finding {finding_id: finding_id})-[:HAS_EVENT]->(e:FindingEvent)
WITH finding_id, e ORDER BY e.at, e.event_id
RETURN finding_id, collect(e {.*, at: toString(e.at)}) AS events
"""


# An investigator's steps are those of the finding's lifecycle (domain/finding_kinds.py).
Review = FindingStep
FINDING_REVIEW = FINDING_LIFECYCLE

# The assignee of an assigned finding is notified in the same write (resolvers/notifications.py).
REVIEW = (
    """
MATCH (f:Finding {finding_id: $finding_id})
WITH f, f.status AS before, f.version AS seen
WITH f, before, seen, before IN $allowed_from AND seen = $expected_version AS ok
CALL (f, before, ok) {
  WITH f, before, ok WHERE ok
  SET f.status = $to, f.version = f.version + 1, f.updated_at = datetime(), f.updated_by = $by, f += $changes
  CREATE (f)-[:HAS_EVENT]->(:FindingEvent {event_id: randomUUID(), at: datetime(), by: $by, role: $role,
                                           action: $action, from_status: before, to_status: $to, note: $note})
"""
    + NOTIFY_FRAGMENT
    + """
}
RETURN f {.*} AS finding, ok, before, seen
"""
)


async def fetch_findings(gateway: Any, **params: Any) -> list[dict[str, Any]]:
    return await gateway.read(FINDING_LIST, **params)


async def fetch_finding(gateway: Any, finding_id: str) -> dict[str, Any] | None:
    rows = await gateway.read(FINDING_BY_ID, finding_id=finding_id)
    return rows[0]["finding"] if rows else None


async def fetch_evidence(gateway: Any, finding_id: str) -> dict[str, Any] | None:
    rows = await gateway.read(EVIDENCE_GRAPH, finding_id=finding_id)
    return rows[0] if rows else None


async def load_finding_events(gateway: Any, finding_ids: list[str]) -> list[list[dict[str, Any]]]:
    """DataLoader batch function: each finding's review steps, in the order asked."""
    rows = await gateway.read(FINDING_EVENTS, finding_ids=list(finding_ids))
    by_id = {r["finding_id"]: r["events"] for r in rows}
    return [by_id.get(i, []) for i in finding_ids]


async def review(
    gateway: Any, finding_id: str, step: Review, expected_version: int, **taken: Any
) -> dict[str, Any] | None:
    """``taken``: by, role, note, changes and notify, as guarded_step takes them."""
    return await guarded_step(
        gateway,
        REVIEW,
        FINDING_REVIEW,
        step,
        ("finding_id", finding_id),
        expected_version,
        notify_as="finding",
        **taken,
    )


# Counts for a township dashboard (no personal data): by kind and status, and gaps by village.
FINDING_SUMMARY = """
MATCH (f:Finding)
WHERE ($township IS NULL OR f.township_code = $township) AND ($kinds IS NULL OR f.kind IN $kinds)
OPTIONAL MATCH (v:Village {code: f.village_code})
RETURN f.kind AS kind, f.status AS status, f.village_code AS village_code, v.name AS village_name,
       count(*) AS findings
"""

STAFFING_GAPS = """
MATCH (f:Finding {kind: $kind}) WHERE f.status IN $active
  AND ($township IS NULL OR f.township_code = $township)
OPTIONAL MATCH (t:Township {code: f.township_code})
OPTIONAL MATCH (v:Village {code: f.village_code})
RETURN f.key AS key, f.details AS details, coalesce(v.name, t.name) AS name
ORDER BY key
"""


async def finding_summary(gateway: Any, township: str | None, kinds: list[str] | None) -> dict[str, list]:
    """A dashboard's counts, as FindingSummary's fields: findings by kind and status, the
    coverage gaps still to be worked (open or assigned) by village, the stations below the
    staffing rule. Two round trips; no personal data."""
    rows = await gateway.read(FINDING_SUMMARY, township=township, kinds=kinds)
    staffing = await gateway.read(
        STAFFING_GAPS, township=township, kind=FindingKind.GAP_STAFFING.value, active=ACTIVE
    )
    totals: dict[tuple[str, str], int] = {}
    gaps: dict[tuple[str, str | None, str], int] = {}
    for r in rows:
        totals[(r["kind"], r["status"])] = totals.get((r["kind"], r["status"]), 0) + r["findings"]
        if r["kind"] in GAP_KINDS and r["status"] in ACTIVE_STATUSES and r["village_code"]:
            k = (r["village_code"], r["village_name"], r["kind"])
            gaps[k] = gaps.get(k, 0) + r["findings"]
    staff = []
    for r in staffing:
        level, _, code = r["key"].partition("|")
        d = json.loads(r["details"] or "{}")
        staff.append(
            {
                "level": level,
                "code": code,
                "name": r["name"],
                "staff": d.get("staff", 0),
                "required": d.get("required", 0),
            }
        )
    return {
        "by_kind_and_status": [
            {"kind": k, "status": st, "count": c} for (k, st), c in sorted(totals.items())
        ],
        "gaps_by_village": [
            {"village_code": v, "village_name": n, "kind": k, "count": c}
            for (v, n, k), c in sorted(gaps.items(), key=lambda x: (x[0][0], x[0][2]))
        ],
        "staffing": staff,
    }


def listed_kinds(
    requested: list[str] | None, allowed: list[str] | None
) -> tuple[list[str] | None, list[str]]:
    """The kinds a finding list reads (None: every kind) and the requested names that are
    no kind; a caller reading only some kinds (finding_scope) gets those among the requested."""
    kinds = [k.strip().upper() for k in requested] if requested else None
    unknown = sorted(set(kinds or ()) - {k.value for k in FindingKind})
    if allowed is not None:
        kinds = [k for k in (kinds or allowed) if k in allowed]
    return kinds, unknown
