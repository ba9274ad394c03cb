"""`reliefgraph evaluate LABELS`: findings against a synthetic county's answer key.

The rule, stated so it can be checked:

- Each kind has deciding fields (DECIDING): what the situation is about — the pair of
  persons of a duplicate identity, the households of a ring, the deceased person *and* the
  payments made after the death. A label is compared on the deciding fields it names; a
  finding on the same fields of its evidence.
- A finding and a label of the same kind *agree* when their deciding keys have a Jaccard
  similarity of at least MATCH_JACCARD (0.8): equal, or overlapping strongly. A 999-household
  "ring" against a 3-household label has 0.003: no match.
- Findings and labels are paired one to one (a maximum-weight matching on the agreeing
  pairs), so a label found three times counts once and the two repeats are false positives.
- Precision = paired findings / findings; recall = paired labels / labels.
- A near miss (near_misses.jsonl: data built to look like a finding but allowed) that a
  finding agrees with, by the same rule, is reported by name: a false positive with a reason.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from domain.finding_kinds import FindingKind
from graph.model import FACT_LABELS as FACT_LABEL_ENUMS

MATCH_JACCARD = 0.8

FACT_LABELS = tuple(label.value for label in FACT_LABEL_ENUMS)

# label field -> the evidence labels holding those keys
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "persons": ("Person",),
    "households": ("Household",),
    "enrollments": ("Enrollment",),
    "payments": ("Payment",),
    "cases": ("Case",),
    "townships": ("Township",),
    "villages": ("Village",),
    "accounts": ("BankAccount",),
    "facts": FACT_LABELS,
    "lines": ("PaymentLine",),
    "allocations": ("Allocation",),
}

# What each kind's situation is about (compared where the label names it).
DECIDING: dict[FindingKind, tuple[str, ...]] = {
    FindingKind.DUP_PERSON_MULTI_HOUSEHOLD: ("persons", "households"),
    FindingKind.DUP_EXCLUSIVE_PROGRAMMES: ("enrollments",),
    FindingKind.DUP_PAYMENT: ("payments",),
    FindingKind.DUP_EVENT_AID: ("payments",),
    FindingKind.DUP_IDENTITY: ("persons",),
    FindingKind.RING_SHARED_IDENTIFIER: ("households",),
    FindingKind.PAYMENT_TO_THIRD_PARTY: ("households", "accounts"),
    FindingKind.DECEASED_PAID: ("persons", "payments"),
    FindingKind.ASSET_INELIGIBLE: ("enrollments", "facts"),
    FindingKind.RELATIONSHIP_BENEFIT: ("cases",),
    FindingKind.FUND_AMOUNT_MISMATCH: ("lines",),
    FindingKind.FUND_LINE_WITHOUT_GRANT: ("lines",),
    FindingKind.FUND_ACCOUNT_MISMATCH: ("lines",),
    FindingKind.FUND_REISSUED_ELSEWHERE: ("lines",),
    FindingKind.FUND_OVER_ALLOCATION: ("allocations",),
    FindingKind.FUND_PAID_AFTER_END: ("enrollments", "lines"),
    FindingKind.FUND_AGENT_ACCOUNT: ("accounts", "households"),
    FindingKind.GAP_VULNERABLE_UNCOVERED: ("persons",),
    FindingKind.GAP_MISSING_SPECIAL: ("persons",),
    FindingKind.GAP_STAFFING: ("townships", "villages"),
    FindingKind.GAP_OVERDUE: ("cases", "households"),
    FindingKind.GAP_URGENT_UNREVIEWED: ("cases",),
}


def dates_disagree(findings: list[dict[str, Any]], labels: list[dict[str, Any]]) -> str | None:
    """Why these findings cannot be graded against these labels, or None: detection as of one
    date against labels made as of another grades the calendar, not the rules (a visit
    overdue today was not overdue on the exports' date). Labels or findings written before
    they carried their date are not checked."""
    label_dates = sorted({str(lbl["as_of"]) for lbl in labels if lbl.get("as_of")})
    finding_dates = sorted({str(f["as_of"]) for f in findings if f.get("as_of")})
    if not label_dates or not finding_dates or finding_dates == label_dates:
        return None
    return (
        f"the stored findings were detected as of {', '.join(finding_dates)}, the labels are as of "
        f"{', '.join(label_dates)}: detect as of the labels' date first "
        f"(reliefgraph detect --as-of {label_dates[0]})"
    )


@dataclass(frozen=True)
class KindScore:
    kind: str
    findings: int
    labels: int
    matched: int  # finding-label pairs, one to one
    near_misses_hit: tuple[str, ...] = field(default=())  # notes of near misses a finding agrees with

    @property
    def precision(self) -> float:
        return self.matched / self.findings if self.findings else (1.0 if not self.labels else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.labels if self.labels else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "findings": self.findings,
            "labels": self.labels,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "near_misses_hit": list(self.near_misses_hit),
        }


def read_labels(path: Path, name: str = "labels.jsonl") -> list[dict[str, Any]]:
    """labels.jsonl (or near_misses.jsonl with `name`) from the file, its folder or the county's."""
    if path.is_dir():
        path = path / name if (path / name).exists() else path / "labels" / name
    elif name != "labels.jsonl":
        path = path.with_name(name)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _fields(kind: FindingKind, label: dict[str, Any]) -> tuple[str, ...]:
    named = tuple(f for f in DECIDING[kind] if label.get(f))
    return named or tuple(f for f in FIELD_LABELS if label.get(f))


def _label_keys(label: dict[str, Any], fields: tuple[str, ...]) -> set[str]:
    return {f"{f}:{key}" for f in fields for key in label.get(f) or []}


def _finding_keys(evidence: dict[str, set[str]], fields: tuple[str, ...]) -> set[str]:
    return {f"{f}:{key}" for f in fields for lbl in FIELD_LABELS[f] for key in evidence.get(lbl, ())}


def agreement(kind: FindingKind, label: dict[str, Any], evidence: dict[str, set[str]]) -> float:
    """Jaccard similarity of the deciding keys (0 when the label names none)."""
    fields = _fields(kind, label)
    wanted = _label_keys(label, fields)
    if not wanted:
        return 0.0
    have = _finding_keys(evidence, fields)
    return len(wanted & have) / len(wanted | have)


def _pairs(kind: FindingKind, findings: list[dict[str, Any]], labels: list[dict[str, Any]]) -> int:
    graph = nx.Graph()
    for i, f in enumerate(findings):
        for j, label in enumerate(labels):
            similarity = agreement(kind, label, f["evidence"])
            if similarity >= MATCH_JACCARD:
                graph.add_edge(("f", i), ("l", j), weight=similarity)
    return len(nx.max_weight_matching(graph, maxcardinality=True))


def score(
    findings: list[dict[str, Any]],
    labels: list[dict[str, Any]],
    near_misses: list[dict[str, Any]] | None = None,
) -> list[KindScore]:
    """findings: {kind, evidence: {label: {keys}}}; one score per kind, every kind listed."""
    by_kind_f: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_kind_l: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_kind_n: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        by_kind_f[f["kind"]].append(f)
    for label in labels:
        by_kind_l[label["kind"]].append(label)
    for miss in near_misses or []:
        by_kind_n[miss["kind"]].append(miss)
    scores = []
    for kind in FindingKind:
        fs, ls = by_kind_f[kind.value], by_kind_l[kind.value]
        hit = tuple(
            sorted(
                {
                    m.get("note", "")
                    for m in by_kind_n[kind.value]
                    if any(agreement(kind, m, f["evidence"]) >= MATCH_JACCARD for f in fs)
                }
            )
        )
        scores.append(KindScore(kind.value, len(fs), len(ls), _pairs(kind, fs, ls), hit))
    return scores
