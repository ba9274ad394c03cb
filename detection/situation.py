"""What a detector reports: one situation, its evidence and its explanation.

A situation's identity is its kind and key (who and what it is about): detecting the same
situation again gives the same finding. Its fingerprint covers the evidence, so a
dismissed finding reopens only when the evidence behind it changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from domain.finding_kinds import FindingKind
from domain.money import yuan_text


@dataclass(frozen=True)
class Evidence:
    label: str  # a graph.model.Label value
    key: str  # the node's natural key
    role: str  # what the node is in this situation: beneficiary, grant, account, …


@dataclass
class Situation:
    kind: FindingKind
    key: str
    score: float
    explanation: str  # plain words, Chinese
    explanation_en: str
    evidence: list[Evidence]
    township_code: str | None = None
    village_code: str | None = None
    amount_fen: int | None = None  # money involved, where the data shows it
    details: dict[str, Any] = field(default_factory=dict)  # per-field evidence (identity), counts …

    @property
    def finding_id(self) -> str:
        digest = hashlib.sha256(f"{self.kind}|{self.key}".encode()).hexdigest()[:20]
        return f"{self.kind}-{digest}"

    @property
    def fingerprint(self) -> str:
        items = sorted((e.label, e.key, e.role) for e in self.evidence)
        return hashlib.sha256(json.dumps([items, self.amount_fen], ensure_ascii=False).encode()).hexdigest()[
            :32
        ]

    @property
    def households(self) -> list[str]:
        return sorted({e.key for e in self.evidence if e.label == "Household"})

    @property
    def persons(self) -> list[str]:
        return sorted({e.key for e in self.evidence if e.label == "Person"})


yuan = yuan_text  # explanations name amounts in yuan
