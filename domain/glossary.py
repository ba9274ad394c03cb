"""The county's words for codes, in Chinese and English: one file, domain/glossary.json.

The server composes explanations and printable pages from it; the workbench fetches it
(served at /workbench/glossary.json with the programmes and departments of
rules/reference.toml added, `served_glossary`) and renders every code it shows through it.
Each entry is `code: [zh, en]` in a group (finding kinds, statuses, relations, edges, node
kinds, events, fields, values).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

GLOSSARY_FILE = Path(__file__).with_name("glossary.json")
Language = Literal["zh", "en"]


@cache
def glossary() -> dict[str, dict[str, list[str]]]:
    data = json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return {group: terms for group, terms in data.items() if not group.startswith("_")}


def term(group: str, code: str, language: Language = "zh") -> str:
    """The word for a code in a language; the code itself where the glossary has none."""
    entry = glossary().get(group, {}).get(code)
    if entry is None:
        return code
    return entry[0] if language == "zh" else entry[1]


def served_glossary(
    programmes: dict[str, tuple[str, str]], departments: dict[str, tuple[str, str]]
) -> dict[str, dict[str, list[str]]]:
    """The glossary as the workbench reads it: with the reference data's programme and
    department names (defined once, in rules/reference.toml)."""
    return glossary() | {
        "programme": {code: list(names) for code, names in programmes.items()},
        "department": {code: list(names) for code, names in departments.items()},
    }
