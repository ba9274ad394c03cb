"""Reading a department export: CSV (UTF-8 or GB18030/GBK) or JSON Lines, into raw rows.

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENCODINGS = ("utf-8-sig", "gb18030")


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


_MOJIBAKE = re.compile(r"[\u0080-\u00b6\u00b8-\u024f]")  # Latin-1/Extended letters, except the middle dot ·


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8, else GB18030 (a superset of GBK and GB2312).

    Short GBK text can also be valid UTF-8 (鲁 is C2 B3 in GBK, which UTF-8 reads as ³), so
    UTF-8 text full of accented Latin letters that GB18030 reads cleanly is taken as GB18030.
    """
    candidates = (encoding,) if encoding else ENCODINGS
    for enc in candidates:
        text = _try(data, enc)
        if text is None:
            continue
        if "\x00" in text:
            raise FileFormatError(path, "contains NUL bytes: not a text export (UTF-16 or binary?)")
        if encoding is None and enc == "utf-8-sig" and _MOJIBAKE.search(text):
            alternative = _try(data, "gb18030")
            if alternative is not None and not _MOJIBAKE.search(alternative):
                return alternative, "gb18030"
        return text, "utf-8" if enc == "utf-8-sig" else enc
    raise FileFormatError(
        path, f"not valid {' or '.join(candidates)} text; re-export as UTF-8 or GB18030, or pass --encoding"
    )


def _check_columns(path: Path, columns: list[str], required: Iterable[str]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise FileFormatError(
            path, f"wrong header: missing column(s) {', '.join(missing)}; found {', '.join(columns) or 'none'}"
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise FileFormatError(path, f"wrong header: column(s) {', '.join(duplicated)} appear twice")


def _read_csv(path: Path, text: str, required: Iterable[str]) -> tuple[list[str], list[RawRow]]:
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(path, "is empty: no header line") from None
    columns = [h.strip().lower() for h in header]
    _check_columns(path, columns, required)
    rows: list[RawRow] = []
    ends_cleanly = text.endswith(("\n", "\r"))
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileFormatError(path, f"truncated or malformed CSV at line {start}: {exc}") from None
        end = reader.line_num
        raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
        if not record or all(not cell.strip() for cell in record):
            start = end + 1
            continue
        if len(record) != len(columns):
            if end == len(lines) and not ends_cleanly and len(record) < len(columns):
                raise FileFormatError(
                    path, f"truncated: the last line ({start}) has {len(record)} of {len(columns)} fields"
                )
            rows.append(RawRow(start, {}, f"has {len(record)} fields; the header has {len(columns)}", raw))
        else:
            rows.append(RawRow(start, dict(zip(columns, record)), None, raw))
        start = end + 1
    return columns, rows


def _read_jsonl(path: Path, text: str, required: Iterable[str]) -> tuple[list[str], list[RawRow]]:
    rows: list[RawRow] = []
    lines = text.splitlines()
    columns: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines) and not text.endswith("\n"):
                raise FileFormatError(path, f"truncated: the last line ({number}) is incomplete JSON") from None
            rows.append(RawRow(number, {}, f"not valid JSON: {exc.msg}", line))
            continue
        if not isinstance(value, dict):
            rows.append(RawRow(number, {}, "a JSON Lines row must be an object", line))
            continue
        value = {str(k).strip().lower(): ("" if v is None else v) for k, v in value.items()}
        columns.update(value)
        rows.append(RawRow(number, value, None, line))
    if not rows:
        raise FileFormatError(path, "is empty: no rows")
    # JSON Lines has no header: a required key missing from every row means the wrong file.
    _check_columns(path, sorted(columns), required)
    return sorted(columns), rows


def read_export(path: Path, required: Iterable[str], encoding: str | None = None) -> ExportFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(path, f"cannot be read: {exc.strerror}") from None
    text, used = decode(path, data, encoding)
    required = list(required)
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        columns, rows = _read_jsonl(path, text, required)
    elif path.suffix.lower() in {".csv", ".txt"}:
        columns, rows = _read_csv(path, text, required)
    else:
        raise FileFormatError(path, "unknown file type: use .csv or .jsonl")
    return ExportFile(path, used, columns, rows)
