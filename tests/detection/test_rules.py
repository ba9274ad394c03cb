"""The detection rule file: defaults load; mistakes are named with the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from detection.rules import DetectionRulesError, read_rules
from settings import Settings


def test_the_default_rules_load(settings: Settings) -> None:
    rules = read_rules(settings.detection_rules_file)
    assert ("DIBAO", "TEKUN") in rules.exclusive.person
    assert rules.params()["line_rural_fen"] == rules.income_line.rural * 100


def test_a_wrong_value_names_the_file_and_field(settings: Settings, tmp_path: Path) -> None:
    text = settings.detection_rules_file.read_text(encoding="utf-8").replace("visit_days = 365", "visit_days = -1")
    broken = tmp_path / "detection.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(DetectionRulesError) as error:
        read_rules(broken)
    assert str(broken) in str(error.value) and "overdue.visit_days" in str(error.value)


def test_an_unknown_identifier_kind_is_refused(settings: Settings, tmp_path: Path) -> None:
    text = settings.detection_rules_file.read_text(encoding="utf-8").replace('weak = ["address"]', 'weak = ["email"]')
    broken = tmp_path / "detection.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(DetectionRulesError, match="unknown identifier kinds"):
        read_rules(broken)
