"""What a pack is made of: a case file (one confirmed finding today, an investigation's
findings, notes and attachments tomorrow) and everything the graph holds about its findings,
read in one round trip."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.model import FACT_LABELS, KEY_PROPERTY, Label


@dataclass(frozen=True)
class Note:
    at: str
    by: str
    text: str


@dataclass(frozen=True)
class Attachment:
    """An attachment's metadata: the pack names it and its hash, the file itself stays where it is."""

    name: str
    sha256: str
    size: int
    media_type: str
    added_by: str
    added_at: str


@dataclass(frozen=True)
class CaseFile:
    """The one value the pack builder takes. `kind` is what the pack is for ("finding" or
    "investigation") and `case_id` its id there; the audit chain names the pack by both."""

    kind: str
    case_id: str
    title: str
    owner: str
    finding_ids: tuple[str, ...]
    notes: tuple[Note, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class FindingEvidence:
    finding: dict[str, Any]
    events: list[dict[str, Any]]
    nodes: list[dict[str, Any]]  # {id, label, key, props}: the finding first
    edges: list[dict[str, Any]]  # {from, to, type, role}
    facts: list[dict[str, Any]]  # fact nodes with their department's name
    payments: list[dict[str, Any]]


@dataclass(frozen=True)
class Gathered:
    findings: list[FindingEvidence]
    audit: list[dict[str, Any]] = field(default_factory=list)  # newest first


# Reads that are about a finding's persons and its own review, for the pack's audit section.
AUDIT_OPERATIONS = ["finding", "findings", "findingEvidence", "evidencePack", "person", "linkage", "paths"]
AUDIT_LIMIT = 200

# Every finding of the case file with its events, its evidence (nodes, the EVIDENCE links and
# the relationships among the nodes), the facts' departments, and the audit events that name
# its persons: one statement, one round trip.
GATHER = """
UNWIND range(0, size($finding_ids) - 1) AS i
MATCH (f:Finding {finding_id: $finding_ids[i]})
CALL (f) {
  OPTIONAL MATCH (f)-[:HAS_EVENT]->(e:FindingEvent)
  WITH e ORDER BY e.at, e.event_id
  RETURN collect(e {.*, at: toString(e.at)}) AS events
}
CALL (f) {
  OPTIONAL MATCH (f)-[r:EVIDENCE]->(n)
  WITH n, r ORDER BY r.label, r.key, r.role
  RETURN collect(DISTINCT n) AS nodes, collect(r {.role, to: elementId(n)}) AS links
}
CALL (nodes) {
  UNWIND nodes AS a
  MATCH (a)-[rel]->(b) WHERE b IN nodes
  WITH DISTINCT a, rel, b ORDER BY elementId(a), elementId(b), type(rel)
  RETURN collect({from: elementId(a), to: elementId(b), type: type(rel)}) AS among
}
CALL (nodes) {
  UNWIND nodes AS n
  OPTIONAL MATCH (n)-[:REPORTED_BY]->(d:Department)
  RETURN collect({id: elementId(n), department: d.name}) AS departments
}
RETURN i, f {.*, first_detected_at: toString(f.first_detected_at), detected_at: toString(f.detected_at),
             confirmed_on: toString(f.confirmed_on), updated_at: toString(f.updated_at)} AS finding,
       elementId(f) AS finding_node, events,
       [n IN nodes | {id: elementId(n), labels: labels(n), props: properties(n)}] AS nodes,
       links, among, departments
ORDER BY i
"""

AUDIT_OF_PERSONS = """
UNWIND $persons AS person
MATCH (a:AuditEvent {person_id_number: person})
WHERE a.operation IN $operations
WITH a ORDER BY a.seq DESC LIMIT $limit
RETURN collect(a {.seq, .subject, .role, .operation, .purpose, .outcome, .person_id_number,
                  at: a.at_text}) AS audit
"""

_BY_NAME = {label.value: label for label in Label}


def _label(labels: list[str]) -> Label | None:
    """A node's label among the model's, a Staff member counted as the Person they also are."""
    known = sorted(_BY_NAME[x] for x in labels if x in _BY_NAME and x != Label.STAFF.value)
    return known[0] if known else None


def _value(v: Any) -> Any:
    return v if isinstance(v, str | int | float | bool) or v is None else str(v)


def evidence_of(row: dict[str, Any]) -> FindingEvidence:
    """One GATHER row as the pack's sections read it."""
    department = {d["id"]: d["department"] for d in row["departments"]}
    roles: dict[str, list[str]] = {}
    for x in row["links"]:
        roles.setdefault(x["to"], []).append(x["role"])
    nodes = [
        {
            "id": row["finding_node"],
            "label": Label.FINDING,
            "key": row["finding"]["finding_id"],
            "role": "",
            "props": {},
        }
    ]
    facts, payments = [], []
    for n in row["nodes"]:
        label = _label(n["labels"])
        props = {k: _value(v) for k, v in n["props"].items()}
        key = props.get(KEY_PROPERTY[label]) if label in KEY_PROPERTY else n["id"]
        role = "、".join(sorted(set(roles.get(n["id"], []))))
        nodes.append({"id": n["id"], "label": label, "key": key, "role": role, "props": props})
        if label in FACT_LABELS:
            facts.append({"label": label, "key": key, "department": department.get(n["id"]), **props})
        elif label is Label.PAYMENT:
            payments.append(props)
    edges = [
        {"from": row["finding_node"], "to": x["to"], "type": "EVIDENCE", "role": x["role"]}
        for x in row["links"]
    ]
    edges += [{**x, "role": None} for x in row["among"]]
    payments.sort(key=lambda p: (str(p.get("period")), str(p.get("payment_id"))))
    facts.sort(key=lambda f: (f["label"], str(f["key"])))
    return FindingEvidence(row["finding"], row["events"], nodes, edges, facts, payments)


def gathered(rows: list[dict[str, Any]], audit_rows: list[dict[str, Any]]) -> Gathered:
    return Gathered([evidence_of(r) for r in rows], audit_rows[0]["audit"] if audit_rows else [])


def finding_case_file(finding_id: str, found: Gathered | None = None) -> CaseFile:
    """The case file of one finding: titled by its kind, owned by whoever it is assigned to
    (or who last reviewed it)."""
    f = found.findings[0].finding if found and found.findings else {}
    title = f"{f.get('kind') or '线索'} {finding_id}"
    return CaseFile(
        "finding", finding_id, title, str(f.get("assignee") or f.get("updated_by") or ""), (finding_id,)
    )


def persons_of(findings: list[FindingEvidence]) -> list[str]:
    return sorted({p for f in findings for p in f.finding.get("persons") or []})
