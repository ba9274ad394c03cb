"""Reading stored findings back with their evidence keys (evaluation, summaries)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from neo4j import Driver

# What detection currently sees: everything not resolved (dismissed and confirmed included).
CURRENT_FINDINGS = """
MATCH (f:Finding) WHERE f.status <> 'resolved'
RETURN f.kind AS kind, f.status AS status, toString(f.as_of) AS as_of,
       [(f)-[r:EVIDENCE]->() | [r.label, r.key]] AS evidence
"""

STATUS_COUNTS = """
MATCH (f:Finding)
RETURN f.kind AS kind, f.status AS status, count(*) AS findings ORDER BY kind, status
"""


def current_findings(driver: Driver, database: str) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(CURRENT_FINDINGS, database_=database)
    out = []
    for r in records:
        evidence: dict[str, set[str]] = defaultdict(set)
        for label, key in r["evidence"]:
            evidence[label].add(key)
        out.append(
            {"kind": r["kind"], "status": r["status"], "as_of": r["as_of"], "evidence": dict(evidence)}
        )
    return out


def status_counts(driver: Driver, database: str) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(STATUS_COUNTS, database_=database)
    return [r.data() for r in records]
