"""The detection rule file: defaults load; mistakes are named with the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from detection.context import PARAMETER
from detection.rules import DetectionRulesError, read_rules
from settings import PROJECT_ROOT, Settings


def test_the_default_rules_load(settings: Settings) -> None:
    rules = read_rules(settings.detection_rules_file)
    assert ("DIBAO", "TEKUN") in rules.exclusive.person
    assert rules.params()["visit_days"] == rules.overdue.visit_days


def test_every_rule_parameter_is_named_by_some_detector_query(settings: Settings) -> None:
    # A parameter no query names is a threshold someone believes is applied in Cypher.
    rules = read_rules(settings.detection_rules_file)
    queries = "".join(path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "detection").rglob("*.py"))
    named = set(PARAMETER.findall(queries))
    assert sorted(set(rules.params()) - named) == []


def test_a_wrong_value_names_the_file_and_field(settings: Settings, tmp_path: Path) -> None:
    text = settings.detection_rules_file.read_text(encoding="utf-8").replace(
        "visit_days = 365", "visit_days = -1"
    )
    broken = tmp_path / "detection.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(DetectionRulesError) as error:
        read_rules(broken)
    assert str(broken) in str(error.value) and "overdue.visit_days" in str(error.value)


def test_an_unknown_identifier_kind_is_refused(settings: Settings, tmp_path: Path) -> None:
    text = settings.detection_rules_file.read_text(encoding="utf-8").replace(
        'weak = ["address"]', 'weak = ["email"]'
    )
    broken = tmp_path / "detection.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(DetectionRulesError, match="unknown identifier kinds"):
        read_rules(broken)
