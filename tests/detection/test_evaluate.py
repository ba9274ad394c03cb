"""The evaluator cannot be gamed: over-broad, repeated, wrong-evidence and flag-everything
findings score badly (pure scoring, no database)."""

from __future__ import annotations

from detection.evaluate import score

RINGS = [
    {"kind": "RING_SHARED_IDENTIFIER", "households": ["H1", "H2", "H3"]},
    {"kind": "RING_SHARED_IDENTIFIER", "households": ["H7", "H8"]},
]
DEATH = {"kind": "DECEASED_PAID", "persons": ["P9"], "payments": ["PAY5", "PAY6", "PAY7"]}


def finding(kind: str, **evidence: list[str]) -> dict:
    return {"kind": kind, "evidence": {label: set(keys) for label, keys in evidence.items()}}


def of(kind: str, scores) -> dict:  # type: ignore[no-untyped-def]
    return next(s.as_dict() for s in scores if s.kind == kind)


def test_exact_findings_score_one() -> None:
    found = [
        finding("RING_SHARED_IDENTIFIER", Household=["H1", "H2", "H3"], Phone=["138"]),
        finding("RING_SHARED_IDENTIFIER", Household=["H7", "H8"]),
    ]
    ring = of("RING_SHARED_IDENTIFIER", score(found, RINGS))
    assert (ring["precision"], ring["recall"]) == (1.0, 1.0)


def test_a_999_household_ring_matches_nothing() -> None:
    everything = finding("RING_SHARED_IDENTIFIER", Household=[f"H{i}" for i in range(1, 1000)])
    ring = of("RING_SHARED_IDENTIFIER", score([everything], RINGS))
    assert (ring["matched"], ring["precision"], ring["recall"]) == (0, 0.0, 0.0)


def test_repeated_findings_of_one_situation_are_false_positives() -> None:
    same = [finding("RING_SHARED_IDENTIFIER", Household=["H1", "H2", "H3"]) for _ in range(3)]
    ring = of("RING_SHARED_IDENTIFIER", score(same, RINGS))
    assert (ring["matched"], ring["findings"]) == (1, 3)
    assert ring["precision"] < 0.34 and ring["recall"] == 0.5


def test_flag_everything_has_no_precision() -> None:
    flagged = [finding("RING_SHARED_IDENTIFIER", Household=[f"H{i}", f"H{i + 1}"]) for i in range(1, 500)]
    ring = of("RING_SHARED_IDENTIFIER", score(flagged, RINGS))
    assert ring["recall"] == 0.5 and ring["precision"] < 0.01  # only {H7, H8} is exactly a planted ring


def test_the_right_person_with_the_wrong_payments_is_not_a_match() -> None:
    wrong = finding("DECEASED_PAID", Person=["P9"], Payment=["PAY1", "PAY2", "PAY3"])
    partial = finding("DECEASED_PAID", Person=["P9"], Payment=["PAY5", "PAY6"])  # 3 of 4 keys: 0.75
    assert of("DECEASED_PAID", score([wrong], [DEATH]))["matched"] == 0
    assert of("DECEASED_PAID", score([partial], [DEATH]))["matched"] == 0
    right = finding("DECEASED_PAID", Person=["P9"], Payment=["PAY5", "PAY6", "PAY7"], Enrollment=["E1"])
    assert of("DECEASED_PAID", score([right], [DEATH]))["matched"] == 1


def test_payment_to_the_wrong_account_is_not_a_match() -> None:
    label = {"kind": "PAYMENT_TO_THIRD_PARTY", "households": ["H5"], "accounts": ["6228000011112222"]}
    wrong = finding("PAYMENT_TO_THIRD_PARTY", Household=["H5"], BankAccount=["6228999988887777"])
    assert of("PAYMENT_TO_THIRD_PARTY", score([wrong], [label]))["matched"] == 0


def test_a_near_miss_that_gets_a_finding_is_named() -> None:
    near = {"kind": "DUP_EVENT_AID", "note": "MED + CHARITY is allowed", "payments": ["PA", "PB"]}
    flagged = finding("DUP_EVENT_AID", Payment=["PA", "PB"])
    aid = of("DUP_EVENT_AID", score([flagged], [], [near]))
    assert aid["near_misses_hit"] == ["MED + CHARITY is allowed"] and aid["precision"] == 0.0
