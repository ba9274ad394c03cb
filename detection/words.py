"""The names explanations give codes, in Chinese and English: programmes and departments
from the reference data (rules/reference.toml, read once), everything else from the
glossary (domain/glossary.json). An unknown code stays as it is."""

from __future__ import annotations

from functools import cache

from domain.glossary import Language, term
from loaders.reference import ReferenceData, read_reference
from settings import Settings


@cache
def _reference() -> ReferenceData:
    return read_reference(Settings().rules_file)


def programme(code: str, language: Language = "zh") -> str:
    p = _reference().programmes.get(code)
    if p is None:
        return code
    return p.name if language == "zh" else p.name_en


def department(code: str, language: Language = "zh") -> str:
    d = _reference().departments.get(code)
    if d is None:
        return code
    return d.name if language == "zh" else d.name_en


def departments(codes: str, language: Language = "zh") -> str:
    """A list of department codes joined by 、 (as the detectors' Cypher gives them)."""
    sep = "、" if language == "zh" else ", "
    return sep.join(
        department(c.strip(), language) for c in codes.replace(",", "、").split("、") if c.strip()
    )


__all__ = ["Language", "department", "departments", "programme", "term"]
