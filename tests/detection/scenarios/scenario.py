"""Scenarios written from docs/domain.md: one hand-built county, loaded once by the real loader,
then every kind the scenario names detected, so a test states what is found and what is not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from neo4j import Driver

from detection.context import DetectionContext
from detection.registry import DETECTORS
from detection.rules import DetectionRules
from detection.situation import Situation
from domain.finding_kinds import FindingKind
from settings import Settings
from tests.detection.builder import AS_OF, County


class Scenario:
    def __init__(self, graph: Driver, settings: Settings, rules: DetectionRules, folder: Path) -> None:
        self.graph, self.settings, self.rules, self.folder = graph, settings, rules, folder

    def run(
        self, county: County, *kinds: FindingKind, as_of: date = AS_OF
    ) -> dict[FindingKind, list[Situation]]:
        county.load(self.graph, self.settings, self.folder / "county")
        ctx = DetectionContext(self.graph, self.settings.neo4j_database, self.rules, as_of)
        return {kind: DETECTORS[kind](ctx) for kind in kinds}


def evidence(situations: list[Situation], label: str) -> list[set[str]]:
    """Per situation, the keys of its evidence with this label, in a stable order."""
    return sorted(({e.key for e in s.evidence if e.label == label} for s in situations), key=sorted)


def involving(situations: list[Situation], label: str, key: str) -> list[Situation]:
    """The situations whose evidence names this node."""
    return [s for s in situations if any(e.label == label and e.key == key for e in s.evidence)]
