"""The province scorer: findings matched to labels by kind and the ID numbers they name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.province_score import ScoreInputError, score_files

A, B, C, D, E = (f"37083119600101{n:03d}X" for n in range(5))
LABELS = [
    {"kind": "DUP_IDENTITY", "decoy": False, "counties": ["370831", "370881"], "id_numbers": [A, B]},
    {"kind": "DUP_IDENTITY", "decoy": False, "counties": ["370881", "370883"], "id_numbers": [C, D]},
    {"kind": "DUP_IDENTITY", "decoy": True, "counties": ["370831", "370881"], "id_numbers": [D, E]},
    {"kind": "DECEASED_PAID", "decoy": False, "counties": ["370831", "370881"], "id_numbers": [E]},
]


def finding(kind: str, counties: list[str], *id_numbers: str, household: str = "") -> dict:
    subjects = [
        {"county": counties[0], "node": "Person", "key": n, "role": "registration"} for n in id_numbers
    ]
    if household:
        subjects.append({"county": counties[-1], "node": "Household", "key": household, "role": "home"})
    return {
        "kind": kind,
        "key": "k",
        "score": 1.0,
        "counties": counties,
        "subjects": subjects,
        "explanation": "",
    }


def write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def test_findings_are_matched_by_kind_and_the_numbers_they_name(tmp_path: Path) -> None:
    findings = [
        finding("DUP_IDENTITY", ["370831", "370881"], B, A, household=A),  # the first pair, in either order
        finding("DUP_IDENTITY", ["370831", "370881"], A, B),  # the same pair again: still right
        finding("DUP_IDENTITY", ["370881", "370883"], C),  # names half of the second pair
        finding("DUP_IDENTITY", ["370831", "370881"], D, E),  # the look-alike
        finding("DUP_IDENTITY", ["370831"], C, D),  # in one county: not the province's to score
        finding("DECEASED_PAID", ["370831", "370881"], E, C),  # names the deceased and more
        finding("DUP_EXCLUSIVE_PROGRAMMES", ["370831", "370881"], A),  # nothing of that kind is true
    ]
    scores = score_files(
        write(tmp_path / "findings.jsonl", findings), write(tmp_path / "labels.jsonl", LABELS)
    )
    identity = scores["DUP_IDENTITY"]
    assert (identity.findings, identity.matched_findings, identity.labels, identity.found_labels) == (
        4,
        2,
        2,
        1,
    )
    assert identity.precision == 0.5 and identity.recall == 0.5
    assert identity.decoys_flagged == 1 and identity.missed == [[C, D]]
    # A finding naming the deceased and more still matches the label: one finding, one label.
    deceased = scores["DECEASED_PAID"]
    assert (deceased.findings, deceased.matched_findings, deceased.labels, deceased.found_labels) == (
        1,
        1,
        1,
        1,
    )
    assert scores["DUP_EXCLUSIVE_PROGRAMMES"].precision == 0.0
    assert scores["DUP_EXCLUSIVE_PROGRAMMES"].recall is None
    assert scores["RING_SHARED_IDENTIFIER"].precision is None


def test_a_household_subject_does_not_stand_for_a_person(tmp_path: Path) -> None:
    findings = [finding("DECEASED_PAID", ["370831", "370881"], household=E)]
    scores = score_files(
        write(tmp_path / "findings.jsonl", findings), write(tmp_path / "labels.jsonl", LABELS)
    )
    assert scores["DECEASED_PAID"].recall == 0.0


def test_an_unreadable_line_is_named(tmp_path: Path) -> None:
    (tmp_path / "findings.jsonl").write_text('{"kind": "DUP_IDENTITY"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ScoreInputError, match=r"findings.jsonl:2: not JSON"):
        score_files(tmp_path / "findings.jsonl", write(tmp_path / "labels.jsonl", LABELS))
