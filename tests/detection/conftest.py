"""Run one detector over a hand-built county on the real Neo4j."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from neo4j import Driver

from detection.context import DetectionContext
from detection.registry import DETECTORS
from detection.rules import DetectionRules, read_rules
from detection.situation import Situation
from domain.finding_kinds import FindingKind
from settings import Settings
from tests.detection.builder import AS_OF, County


@pytest.fixture
def rules(settings: Settings) -> DetectionRules:
    return read_rules(settings.detection_rules_file)


@pytest.fixture
def detect(
    graph: Driver, settings: Settings, rules: DetectionRules, tmp_path: Path
) -> Callable[[County, FindingKind], list[Situation]]:
    def run(county: County, kind: FindingKind, households: list[str] | None = None) -> list[Situation]:
        county.load(graph, settings, tmp_path / "county")
        return DETECTORS[kind](DetectionContext(graph, settings.neo4j_database, rules, AS_OF, households))

    return run


def keys(situations: list[Situation], label: str) -> list[set[str]]:
    """Per situation, the keys of its evidence with this label."""
    return [{e.key for e in s.evidence if e.label == label} for s in situations]
