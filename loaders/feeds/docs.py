"""The feed formats as Markdown (docs/feeds.md is generated from this, and a test keeps them equal)."""

from __future__ import annotations

import enum
import types
import typing
from datetime import date
from decimal import Decimal

from pydantic.fields import FieldInfo

from loaders.feeds import FEEDS

_VALIDATED = {
    "_id_number": "resident ID number (GB 11643): 15-digit, lower-case x, spaces, full-width repaired; "
    "checksum verified",
    "_money": "amount in yuan, digits with up to 2 decimals (`1,040.00`, `¥1040`), at most 1,000,000,000; "
    "no exponent (`1e10`); stored as integer fen",
    "_day": "date, `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYYMMDD`; a spreadsheet's date cell); never a number; "
    "1900-01-01 to 80 years ahead",
    "_birth_day": "date, `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYYMMDD`; a spreadsheet's date cell); "
    "never a number; 1880-01-01 to today",
    "_text": "text, any script; zero-width characters removed, no bidirectional controls",
    "_name": "name, any script; zero-width characters removed; no control or bidirectional characters, "
    "no `<` `>`",
    "_code": "identifier (upper-cased)",
    "normalize_phone": "mobile `1xxxxxxxxxx` or landline `0xxx…`; spaces, dashes, +86 removed",
    "_address": "address text; whitespace removed",
    "normalize_account": "bank account number, 12-30 digits",
    "_department": "department code from rules/reference.toml (MZ, GA, …)",
    "_programme": "programme code from rules/reference.toml (DIBAO, TEKUN, …)",
    "_bool": "yes/no (`yes`, `no`, `1`, `0`, `是`, `否`)",
    "_document_number": "document number (a resident ID number unless document_type says otherwise)",
    "_id_list": "ID numbers separated by `;` (a foreign resident's passport or other document number as "
    "in the persons feed)",
}


def _describe(info: FieldInfo) -> str:
    for meta in info.metadata:
        func = getattr(meta, "func", None)
        if func is not None and getattr(func, "__name__", "") in _VALIDATED:
            return _VALIDATED[func.__name__]
        pattern = getattr(meta, "pattern", None)
        if pattern:
            return f"text matching `{pattern}`"
    annotation = info.annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = args[0] if args else annotation
    for meta in getattr(annotation, "__metadata__", ()):  # Annotated inside Optional
        func = getattr(meta, "func", None)
        if func is not None and getattr(func, "__name__", "") in _VALIDATED:
            return _VALIDATED[func.__name__]
    if typing.get_origin(annotation) is list:
        inner = typing.get_args(annotation)[0]
        for meta in getattr(inner, "__metadata__", ()):
            func = getattr(meta, "func", None)
            if func is not None and func.__name__ in _VALIDATED:
                return "list of " + _VALIDATED[func.__name__]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of " + ", ".join(f"`{m.value}`" for m in annotation)
    if annotation is date:
        return "date, `YYYY-MM-DD`"
    if annotation is Decimal:
        return _VALIDATED["_money"]
    if annotation is int:
        return "whole number"
    if annotation is float:
        return "number"
    if annotation is bool:
        return _VALIDATED["_bool"]
    return "text"


def feeds_markdown() -> str:
    lines = [
        "# Feed formats",
        "",
        "Generated from the row models (`loaders/rows/`) by `reliefgraph feeds`; a test fails when",
        "this file and the code disagree.",
        "",
        "Every feed is a CSV file (a header line naming the columns, in any order; extra columns",
        "are ignored), a spreadsheet (`.xlsx` or `.xls`: the first visible sheet, its first",
        "non-empty row the header; date cells are dates) or a JSON Lines file (`.jsonl`, one",
        "object per line with the same keys; values are strings, numbers, booleans or null, never",
        "objects or arrays). The feed is told by the file",
        "name: `persons.csv`, `persons_GA_2026-11.csv` and `persons.jsonl` are all the population",
        "register. Blank cells are missing values. Files load in the order below, whatever order",
        "they are given in.",
        "",
        "**Column names.** A department may keep its own system's names (身份证号, 姓名, 开户行 …):",
        "`rules/feed-headers.toml` maps them to the columns below, for every feed (`[common]`)",
        "or one (`[feeds.persons]`); extend it as new exports arrive",
        "(`RELIEFGRAPH_FEED_HEADERS_FILE` points at another file).",
        "",
        "**Dry run.** `reliefgraph load --dry-run FILE…` prints, for each file, the feed it was",
        "taken for, its encoding, which columns were renamed, how many rows are valid and the",
        "first rejects with their reasons, and writes nothing. (Rows naming persons or households",
        "not yet in the graph are found only by a real load.)",
        "",
        "**Encoding.** Valid UTF-8 (with or without a BOM) is read as UTF-8; GB18030 (which",
        "includes GBK and GB2312) only when the bytes are not UTF-8. A short GBK file can also be",
        "valid UTF-8 (`鲁` is `C2 B3` in GBK, `³` in UTF-8; `员斜` reads `Աб`): when the UTF-8",
        "reading has characters no Chinese register holds (anything beyond ASCII, CJK,",
        "punctuation, symbols and full-width forms: Latin-1 signs, Cyrillic, Armenian …) and no",
        "more Han characters than those, while GB18030 reads Han characters, the file is",
        "refused, naming both readings, until it is loaded with `--encoding utf-8` or",
        "`--encoding gb18030`. Nothing is guessed silently.",
        "",
        "**Size limits.** A feed has at most 1,000 columns (a wider header, or a spreadsheet",
        "whose cells span wider, is refused). An `.xlsx` sheet whose cells span more than",
        "30,000,000 cells from the first to the last (a stray cell at `XFD1048576`) is refused",
        "before it is read.",
        "",
        "**Bad rows.** A row that cannot be read or validated (wrong number of fields, an",
        "unbalanced quote, a field over 131,072 characters, a NUL byte, a JSON key given",
        "twice, a value of the wrong type or out of range) is written to the rejects file with its line "
        "and the reason, and",
        "the load goes on with the next row.",
        "",
    ]
    for feed in sorted(FEEDS.values(), key=lambda f: (f.rank, f.name)):
        lines += [f"## `{feed.name}`: {feed.description}", ""]
        if feed.refs:
            lines += [
                "Must already exist in the graph (else the row is rejected): "
                + ", ".join(f"`{r.field}` ({r.kind.value})" for r in feed.refs)
                + ".",
                "",
            ]
        lines += ["| column | required | content |", "|---|---|---|"]
        for name, info in feed.model.model_fields.items():
            required = "yes" if info.is_required() else "no"
            lines.append(f"| `{name}` | {required} | {_describe(info)} |")
        lines.append("")
        if feed.note:
            lines += [feed.note, ""]
    return "\n".join(lines)
