"""`reliefgraph evaluate LABELS`: findings against the synthetic county's answer key.

A finding matches a label of its kind when its evidence contains what the label names in
the kind's deciding field (the grant, the payments, the person …); rings match when they
share at least two households. Precision counts findings that match a label; recall counts
labels matched by a finding.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detection.kinds import FindingKind

# label field -> the evidence label holding those keys
FIELD_LABEL = {"persons": "Person", "households": "Household", "enrollments": "Enrollment", "payments": "Payment",
               "cases": "Case", "townships": "Township", "villages": "Village"}

# Which label field decides a match, per kind (several: any one present in the label).
DECIDING = {
    FindingKind.DUP_PERSON_MULTI_HOUSEHOLD: ("persons",),
    FindingKind.DUP_EXCLUSIVE_PROGRAMMES: ("enrollments",),
    FindingKind.DUP_PAYMENT: ("payments",),
    FindingKind.DUP_EVENT_AID: ("payments",),
    FindingKind.DUP_IDENTITY: ("persons",),
    FindingKind.RING_SHARED_IDENTIFIER: ("households",),
    FindingKind.PAYMENT_TO_THIRD_PARTY: ("households",),
    FindingKind.DECEASED_PAID: ("persons",),
    FindingKind.ASSET_INELIGIBLE: ("enrollments",),
    FindingKind.RELATIONSHIP_BENEFIT: ("cases",),
    FindingKind.GAP_VULNERABLE_UNCOVERED: ("persons",),
    FindingKind.GAP_MISSING_SPECIAL: ("persons",),
    FindingKind.GAP_STAFFING: ("townships", "villages"),
    FindingKind.GAP_OVERDUE: ("cases", "households"),
}


@dataclass(frozen=True)
class KindScore:
    kind: str
    findings: int
    labels: int
    true_positives: int  # findings matching a label
    labels_found: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.findings if self.findings else (1.0 if not self.labels else 0.0)

    @property
    def recall(self) -> float:
        return self.labels_found / self.labels if self.labels else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "findings": self.findings, "labels": self.labels,
                "true_positives": self.true_positives, "labels_found": self.labels_found,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def read_labels(path: Path) -> list[dict[str, Any]]:
    """labels.jsonl (or the folder holding it)."""
    if path.is_dir():
        path = path / "labels.jsonl" if (path / "labels.jsonl").exists() else path / "labels" / "labels.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def matches(kind: FindingKind, label: dict[str, Any], evidence: dict[str, set[str]]) -> bool:
    for field in DECIDING[kind]:
        wanted = set(label.get(field) or [])
        if not wanted:
            continue
        have = evidence.get(FIELD_LABEL[field], set())
        if kind is FindingKind.RING_SHARED_IDENTIFIER:
            return len(wanted & have) >= 2
        return wanted <= have
    return False


def score(findings: list[dict[str, Any]], labels: list[dict[str, Any]]) -> list[KindScore]:
    """findings: {kind, evidence: {label: {keys}}}; one score per kind, every kind listed."""
    by_kind_f: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_kind_l: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        by_kind_f[f["kind"]].append(f)
    for label in labels:
        by_kind_l[label["kind"]].append(label)
    scores = []
    for kind in FindingKind:
        fs, ls = by_kind_f[kind.value], by_kind_l[kind.value]
        tp = sum(1 for f in fs if any(matches(kind, label, f["evidence"]) for label in ls))
        found = sum(1 for label in ls if any(matches(kind, label, f["evidence"]) for f in fs))
        scores.append(KindScore(kind.value, len(fs), len(ls), tp, found))
    return scores
