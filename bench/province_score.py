"""Precision and recall of the cross-county job's findings against the province's labels.

The matching rule (docs/province.md#how-findings-are-scored): a finding matches a label when
they are of one kind and the finding names, among its Person subjects, every ID number the
label says it must. Only findings that concern two counties or more are scored: in-county
findings are each county's own detection's. A finding that matches no label is a false
positive (and counted against the look-alikes it matches); a label no finding matches is
missed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth.province import CROSS_KINDS


class ScoreInputError(ValueError):
    """A findings or labels file the scorer cannot read (one line says which and where)."""


@dataclass
class KindScore:
    findings: int = 0
    matched_findings: int = 0
    labels: int = 0
    found_labels: int = 0
    decoys_flagged: int = 0
    missed: list[list[str]] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.matched_findings / self.findings if self.findings else None

    @property
    def recall(self) -> float | None:
        return self.found_labels / self.labels if self.labels else None


def _lines(path: Path) -> list[dict[str, Any]]:
    items = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScoreInputError(f"{path}: cannot read ({error})") from None
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise ScoreInputError(f"{path}:{n}: not JSON ({error.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                raise ScoreInputError(f"{path}:{n}: not an object with a kind")
            items.append(item)
    return items


def named_id_numbers(finding: dict[str, Any]) -> set[str]:
    """The ID numbers a finding names: its Person subjects' keys."""
    subjects = finding.get("subjects") or []
    if not isinstance(subjects, list):
        return set()
    return {
        s["key"]
        for s in subjects
        if isinstance(s, dict) and s.get("node") == "Person" and isinstance(s.get("key"), str)
    }


def score(findings: list[dict[str, Any]], labels: list[dict[str, Any]]) -> dict[str, KindScore]:
    scores = {kind: KindScore() for kind in CROSS_KINDS}
    truths = [label for label in labels if not label.get("decoy")]
    decoys = [label for label in labels if label.get("decoy")]
    for label in truths:
        if label["kind"] in scores:
            scores[label["kind"]].labels += 1
    found: set[int] = set()
    for finding in findings:
        kind = finding["kind"]
        if kind not in scores or len(set(finding.get("counties") or [])) < 2:
            continue
        named = named_id_numbers(finding)
        s = scores[kind]
        s.findings += 1
        hits = [
            i for i, label in enumerate(truths) if label["kind"] == kind and set(label["id_numbers"]) <= named
        ]
        if hits:
            s.matched_findings += 1
            found.update(hits)
        elif any(d["kind"] == kind and set(d["id_numbers"]) <= named for d in decoys):
            s.decoys_flagged += 1
    for i, label in enumerate(truths):
        if label["kind"] in scores:
            if i in found:
                scores[label["kind"]].found_labels += 1
            else:
                scores[label["kind"]].missed.append(label["id_numbers"])
    return scores


def score_files(findings_file: Path, labels_file: Path) -> dict[str, KindScore]:
    return score(_lines(findings_file), _lines(labels_file))
