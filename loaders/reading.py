"""Reading a department export: CSV (UTF-8 or GB18030/GBK), JSON Lines or a spreadsheet
(.xlsx, .xls: python-calamine), into raw rows, headers renamed by the feed's aliases.

A file that is not what it claims (undecodable bytes, missing columns, cut off mid-row)
raises FileFormatError naming the file, before anything of it is written. A malformed row
in the middle of a sound file is not fatal: it comes back as a RawRow with a problem, and
goes to the rejects file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import python_calamine

from loaders.sheet_size import MAX_SHEET_COLUMNS, UnsafeSheet, check_xlsx_size

# Far above any department's export (the widest has some forty): a million-column header
# is an attack on the checks, not a feed.
MAX_COLUMNS = MAX_SHEET_COLUMNS


class FileFormatError(ValueError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class RawRow:
    line: int
    values: dict[str, Any]
    problem: str | None = None  # a structural fault of this one row
    raw: str = ""


@dataclass
class ExportFile:
    path: Path
    encoding: str
    columns: list[str]
    rows: list[RawRow] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # header as exported -> the feed's column


EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


def normalise_header(header: str) -> str:
    """How a header is compared: without surrounding spaces or a byte-order mark, lower case."""
    return header.strip().lstrip("\ufeff").lower()


def _columns(headers: list[str], aliases: dict[str, str] | None) -> tuple[list[str], dict[str, str]]:
    """The feed's column names for a header line, and which headers were renamed."""
    columns, renamed = [], {}
    for header in headers:
        key = normalise_header(header)
        column = (aliases or {}).get(key, key)
        if column != key:
            renamed[header.strip()] = column
        columns.append(column)
    return columns, renamed


# What a Chinese register holds: ASCII, the middle dot of minority names (·, ・), general
# punctuation and symbols (— “” … ① ℃ ■), CJK punctuation, radicals, bopomofo and
# ideographs, full-width and small forms. Anything else in a UTF-8 reading (Latin-1 signs,
# Greek, Cyrillic, Armenian, Hebrew, Arabic letters …) is what GBK bytes read as UTF-8 look
# like: 鲁 (C2 B3) reads "³", 员斜 reads "Աб", 芫袙訍 reads "ܾВӐ".
_FOREIGN = re.compile(
    "[^\x00-\x7f\u00b7\u2000-\u2bff\u2e80-\u2fff\u3000-\u303f\u30fb\u3100-\u312f"
    "\u31a0-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe6f"
    "\ufeff\uff00-\uffef\U00020000-\U0003ffff]"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def _some(names: list[str], shown: int = 5) -> str:
    """A few names, then how many more: an error message stays one short line."""
    listed = ", ".join(names[:shown]) or "none"
    return listed + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


def _count(pattern: re.Pattern[str], text: str, limit: int) -> int:
    """Matches of `pattern` in `text`, counted up to `limit` only."""
    found = 0
    for _ in pattern.finditer(text):
        found += 1
        if found >= limit:
            break
    return found


def _suspect_utf8(text: str) -> bool:
    """UTF-8 text that GBK bytes could have produced: it holds characters no Chinese register
    has, and no more Han characters than those (a real UTF-8 register with one José in it
    is mostly Han)."""
    foreign = _count(_FOREIGN, text, len(text))
    return foreign > 0 and _count(_HAN, text, foreign + 1) <= foreign


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _around_difference(a: str, b: str, width: int = 40, before: int = 12) -> tuple[str, str]:
    """Both readings of one line cut to `width` characters around the first character where
    they differ: cut from the line's start, two readings of a long line would look the same."""
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, first - before)
    lead = "…" if start else ""
    return lead + a[start : start + width], lead + b[start : start + width]


def _ambiguous_line(utf8: str, gb: str) -> tuple[str, str]:
    """The first line that reads differently, as UTF-8 and as GB18030, around the first
    character that differs (at most 40 characters of each)."""
    for a, b in zip(utf8.splitlines(), gb.splitlines(), strict=False):
        if a != b:
            return _around_difference(a, b)
    return _around_difference(utf8, gb)


def decode(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was in: valid UTF-8 is UTF-8; GB18030 (a superset of GBK
    and GB2312) only when the bytes are not UTF-8.

    Short GBK text can also be valid UTF-8. Where the UTF-8 reading has characters of
    scripts no Chinese register holds (Latin-1 signs, Cyrillic, Armenian …) and no more Han
    characters than those, while GB18030 reads it with Han and fewer such characters,
    neither reading can be trusted (a UTF-8 "25°C" is GB18030 "25掳C", a GBK "鲁H" is UTF-8
    "³H"; charset detectors guess wrong both ways on short files): the file is refused,
    naming both readings, until its encoding is given. Never a silent guess.
    """
    if encoding:
        text = _try(data, encoding)
        if text is None:
            raise FileFormatError(
                path, f"not valid {encoding} text; re-export as UTF-8, or pass the right --encoding"
            )
        return text, encoding
    text = _try(data, "utf-8-sig")
    if text is not None:
        if _suspect_utf8(text):
            other = _try(data, "gb18030")
            if other is not None and _HAN.search(other) and not _suspect_utf8(other):
                as_utf8, as_gb = _ambiguous_line(text, other)
                raise FileFormatError(
                    path,
                    (
                        f"the encoding is ambiguous: UTF-8 reads {as_utf8!r}, GB18030 reads {as_gb!r}; "
                        "load it with --encoding utf-8 or --encoding gb18030"
                    ),
                )
        return text, "utf-8"
    text = _try(data, "gb18030")
    if text is not None:
        return text, "gb18030"
    raise FileFormatError(path, "not valid UTF-8 or GB18030 text; re-export as UTF-8, or pass --encoding")


def _check_width(path: Path, width: int) -> None:
    if width > MAX_COLUMNS:
        raise FileFormatError(path, f"wrong header: {width:,} columns; a feed has at most {MAX_COLUMNS:,}")


def _check_columns(path: Path, columns: list[str], required: Iterable[str]) -> None:
    _check_width(path, len(columns))
    present = set(columns)
    missing = [c for c in required if c not in present]
    if missing:
        raise FileFormatError(
            path, f"wrong header: missing column(s) {_some(missing)}; found {_some(columns)}"
        )
    duplicated = sorted(c for c, n in Counter(columns).items() if n > 1)
    if duplicated:
        raise FileFormatError(path, f"wrong header: column(s) {_some(duplicated)} appear twice")


def _records(lines: list[str], first: int) -> Iterator[tuple[int, int, list[str] | None, str | None]]:
    """(first line, last line, fields or None, problem) for each record from line `first` on.

    A row the csv module cannot read (a field over its size limit) is a problem of that
    row: reading starts again on the next line, so the rest of the file still loads."""
    start = first
    while start <= len(lines):
        base = start - 1
        reader = csv.reader(lines[base:])
        try:
            for record in reader:
                end = base + reader.line_num
                yield start, end, record, None
                start = end + 1
            return
        except csv.Error as exc:
            end = max(start, base + reader.line_num)
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = f"a field is longer than {csv.field_size_limit():,} characters"
            yield start, end, None, reason
            start = end + 1


def _read_csv(
    path: Path, text: str, required: Iterable[str], aliases: dict[str, str] | None = None
) -> tuple[list[str], list[RawRow], dict[str, str]]:
    lines = text.splitlines(keepends=True)
    header_reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(header_reader)
    except StopIteration:
        raise FileFormatError(path, "is empty: no header line") from None
    except csv.Error as exc:
        raise FileFormatError(path, f"the header line cannot be read: {exc}") from None
    _check_width(path, len(header))
    columns, renamed = _columns(header, aliases)
    _check_columns(path, columns, required)
    return columns, _csv_rows(path, lines, columns, header_reader.line_num + 1), renamed


def _csv_rows(path: Path, lines: list[str], columns: list[str], first: int) -> list[RawRow]:
    rows: list[RawRow] = []
    ends_cleanly = bool(lines) and lines[-1].endswith(("\n", "\r"))
    restart: int | None = first
    while restart is not None:
        records, restart = _records(lines, restart), None
        for start, end, record, problem in records:
            raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
            if record is None:
                rows.append(RawRow(start, {}, problem, raw[:2000]))
            elif not record or all(not cell.strip() for cell in record):
                continue
            elif end == len(lines) and not ends_cleanly and len(record) < len(columns):
                raise FileFormatError(
                    path, f"truncated: the last line ({start}) has {len(record)} of {len(columns)} fields"
                )
            elif end > start and (len(record) != len(columns) or raw.count('"') % 2):
                # A quote opened on this line closes lines later, or never: what follows
                # was read as one field. Reject this line and read on from the next.
                rows.append(
                    RawRow(
                        start,
                        {},
                        f'unbalanced quote (") on line {start}: it runs on to line {end}',
                        lines[start - 1].rstrip("\r\n"),
                    )
                )
                restart = start + 1
                break
            elif len(record) != len(columns):
                rows.append(
                    RawRow(start, {}, f"has {len(record)} fields; the header has {len(columns)}", raw)
                )
            elif "\x00" in raw:
                rows.append(RawRow(start, {}, "contains a NUL byte", raw.replace("\x00", "\\0")))
            else:
                rows.append(RawRow(start, dict(zip(columns, record, strict=True)), None, raw))
    return rows


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused if a key appears twice (json keeps the last value silently)."""
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise _DuplicateKey(f"key {key[:40]!r} appears twice in one object: which value is meant?")
        value[key] = item
    return value


def _read_jsonl(
    path: Path, text: str, required: Iterable[str], aliases: dict[str, str] | None = None
) -> tuple[list[str], list[RawRow], dict[str, str]]:
    rows: list[RawRow] = []
    lines = text.splitlines()
    columns: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line, object_pairs_hook=_unique_keys)
        except _DuplicateKey as exc:
            rows.append(RawRow(number, {}, str(exc), line))
            continue
        except json.JSONDecodeError as exc:
            if number == len(lines) and not text.endswith("\n"):
                raise FileFormatError(
                    path, f"truncated: the last line ({number}) is incomplete JSON"
                ) from None
            rows.append(RawRow(number, {}, f"not valid JSON: {exc.msg}", line))
            continue
        if not isinstance(value, dict):
            rows.append(RawRow(number, {}, "a JSON Lines row must be an object", line))
            continue
        keys, renamed = _columns([str(k) for k in value], aliases)
        if len(set(keys)) != len(keys):  # 身份证号 and id_number in one object
            twice = sorted(c for c, n in Counter(keys).items() if n > 1)
            rows.append(RawRow(number, {}, f"two keys name the column(s) {_some(twice)}", line))
            continue
        value = {key: ("" if v is None else v) for key, v in zip(keys, value.values(), strict=True)}
        nested = sorted(k for k, v in value.items() if isinstance(v, (dict, list)))
        if nested:  # never stored as the text "{'NESTED': 1}"
            rows.append(
                RawRow(
                    number,
                    {},
                    f"{', '.join(nested)}: a JSON object or array where a single value is due",
                    line,
                )
            )
            continue
        columns.update(value)
        _check_width(path, len(columns))
        rows.append(RawRow(number, value, None, line))
    if not rows:
        raise FileFormatError(path, "is empty: no rows")
    # JSON Lines has no header: a required key missing from every row means the wrong file.
    _check_columns(path, sorted(columns), required)
    return sorted(columns), rows, renamed if rows else {}


def _cell(value: Any) -> Any:
    """A spreadsheet cell as the row models read it: text, or a date for date cells."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # 1040.0 is 1040; a float of 18 digits is an ID number Excel destroyed: its text shows
        # the damage (3.70831e+17), which the ID check names.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _read_excel(
    path: Path, required: Iterable[str], aliases: dict[str, str] | None
) -> tuple[list[str], list[RawRow], dict[str, str]]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            check_xlsx_size(path)
        except UnsafeSheet as exc:
            raise FileFormatError(path, f"cannot be read as a spreadsheet: {exc}") from None
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = next(
            (
                book.get_sheet_by_name(m.name)
                for m in book.sheets_metadata
                if str(m.visible).lower().endswith("visible")
            ),
            None,
        ) or book.get_sheet_by_index(0)
        table = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - any reader failure is this file's fault, named
        raise FileFormatError(path, f"cannot be read as a spreadsheet: {exc}") from None
    start = next((i for i, row in enumerate(table) if any(c not in (None, "") for c in row)), None)
    if start is None:
        raise FileFormatError(path, "is empty: no header row")
    columns, renamed = _columns([str(c or "") for c in table[start]], aliases)
    width = len(columns)
    while width and not columns[width - 1]:
        width -= 1  # trailing blank header cells
    columns = columns[:width]
    _check_columns(path, columns, required)
    rows = []
    for number, row in enumerate(table[start + 1 :], start=start + 2):
        cells = [_cell(c) for c in list(row)[:width]] + [""] * max(0, width - len(row))
        if all(c == "" for c in cells):
            continue
        extra = [c for c in list(row)[width:] if c not in (None, "")]
        raw = ",".join(str(c) for c in cells)
        if extra:
            rows.append(RawRow(number, {}, f"has {width + len(extra)} cells; the header has {width}", raw))
        else:
            rows.append(RawRow(number, dict(zip(columns, cells, strict=True)), None, raw))
    return columns, rows, renamed


def read_export(
    path: Path, required: Iterable[str], encoding: str | None = None, aliases: dict[str, str] | None = None
) -> ExportFile:
    required = list(required)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        columns, rows, renamed = _read_excel(path, required, aliases)
        return ExportFile(path, suffix[1:], columns, rows, renamed)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(path, f"cannot be read: {exc.strerror}") from None
    text, used = decode(path, data, encoding)
    nuls = text.count("\x00")
    if nuls and (nuls * 50 > len(text) or "\x00" in text.split("\n", 1)[0]):
        raise FileFormatError(path, "contains NUL bytes: not a text export (UTF-16 or binary?)")
    if suffix in {".jsonl", ".ndjson"}:
        columns, rows, renamed = _read_jsonl(path, text, required, aliases)
    elif suffix in {".csv", ".txt"}:
        columns, rows, renamed = _read_csv(path, text, required, aliases)
    else:
        raise FileFormatError(path, "unknown file type: use .csv, .jsonl or a spreadsheet (.xlsx, .xls)")
    return ExportFile(path, used, columns, rows, renamed)
