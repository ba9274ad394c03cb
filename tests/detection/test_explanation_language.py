"""Every finding's Chinese explanation speaks Chinese: programmes, departments, statuses,
relations and places by name, amounts in yuan. Codes appear only where they are shown as
codes on purpose (a case, grant, household or payment line's id; an account's last digits)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from neo4j import Driver

from detection.context import DetectionContext
from detection.registry import DETECTORS
from detection.rules import read_rules
from detection.situation import Situation
from domain.finding_kinds import FindingKind
from loaders.run import Loader
from settings import Settings
from synth.county import synthesize

# A word holding a Latin letter (with the digits, dashes and underscores joined to it).
LATIN = re.compile(r"[0-9_\-]*[A-Za-z][A-Za-z0-9_\-]*")
# A vehicle's plate (鲁H39837) is shown as it is, like an ID number.
PLATE = re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}")


# Evidence whose key is a code with a name: never shown as the code.
NAMED = {"Programme", "Department", "Township", "Village"}


def shown_codes(s: Situation) -> set[str]:
    """The ids an explanation may show as they are: its evidence's keys (a case, a grant, a
    household, a payment line, an account), the finding's own key."""
    return {e.key for e in s.evidence if e.label not in NAMED} | set(s.key.split("|"))


def latin_tokens(s: Situation) -> list[str]:
    allowed = shown_codes(s)
    return [t for t in LATIN.findall(PLATE.sub("", s.explanation)) if t not in allowed]


def test_chinese_explanations_hold_no_codes(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "county"
    synthesize(out, seed=11, scale="small")
    Loader(graph, settings, rejects_dir=tmp_path / "rejects").load(
        sorted([*out.glob("*.csv"), *out.glob("*.jsonl")])
    )
    rules = read_rules(settings.detection_rules_file)
    ctx = DetectionContext(graph, settings.neo4j_database, rules, date(2026, 11, 1))
    offending: dict[str, set[str]] = {}
    explained: set[FindingKind] = set()
    for kind, detector in DETECTORS.items():
        for s in detector(ctx):
            explained.add(kind)
            tokens = latin_tokens(s)
            if tokens:
                offending.setdefault(kind.value, set()).update(tokens)
                offending.setdefault(f"{kind.value} e.g.", {s.explanation})
    assert explained == set(FindingKind)
    assert offending == {}
