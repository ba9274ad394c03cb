"""How large an .xlsx sheet is, found before the spreadsheet reader sees it.

python-calamine allocates the whole rectangle from the first cell to the last one at once:
a 2 KB file with one cell at XFD1048576 asks for 549 GB, and the process aborts (a Rust
panic no Python code can catch). So the sheets' XML is streamed first (an .xlsx is a zip)
and the file refused when its cells span too much. The declared <dimension> is not used:
the reader ignores it, and Excel declares formatted but empty areas in it.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

# Far above any department's export (a county's population register fills some 6 million
# cells), far below what the reader can hold in memory.
MAX_SHEET_CELLS = 30_000_000
MAX_SHEET_COLUMNS = 1_000
# A sheet's XML, uncompressed: a zip of a few KB can hold gigabytes of it.
MAX_SHEET_XML_BYTES = 2 * 1024**3

_REF = re.compile(r"\$?([A-Z]{1,8})\$?(\d{1,12})")
_NUMBER = re.compile(r"\d{1,12}")
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
_CHUNK = 1 << 20
# A cell's reference as Excel, WPS and openpyxl write it, read from the raw XML: a parser's
# events cost Python calls per element, this is matched in C. Any other way of writing
# cells (a namespace prefix, r not first, no r) takes the parser.
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,8})(\d{1,12})"')
_CELL_TAGS = (b"<c ", b"<c>", b"<c/")


class UnsafeSheet(ValueError):
    """The reason, in one line."""


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _cell(part: str, ref: str) -> tuple[int, int]:
    """(row, column), both from 1, of a reference such as B7."""
    match = _REF.fullmatch(ref.strip().upper())
    if match is None:
        raise UnsafeSheet(f"sheet {part} has a cell reference {ref[:20]!r} that is not one (such as B7)")
    return int(match.group(2)), _column(match.group(1))


class _Extent:
    """The rectangle from the first cell to the last, which the reader allocates."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.rows: tuple[int, int] | None = None
        self.columns: tuple[int, int] | None = None

    def add(self, rows: tuple[int, int], columns: tuple[int, int]) -> None:
        self.rows = (min(self.rows[0], rows[0]), max(self.rows[1], rows[1])) if self.rows else rows
        self.columns = (
            (min(self.columns[0], columns[0]), max(self.columns[1], columns[1])) if self.columns else columns
        )
        height, width = self.rows[1] - self.rows[0] + 1, self.columns[1] - self.columns[0] + 1
        if width > MAX_SHEET_COLUMNS:
            raise UnsafeSheet(
                f"sheet {self.part} spans {width:,} columns; a feed has at most "
                f"{MAX_SHEET_COLUMNS:,} (a stray cell far to the right? delete it)"
            )
        if height * width > MAX_SHEET_CELLS:
            raise UnsafeSheet(
                f"sheet {self.part} spans {height:,} rows by {width:,} columns; at most "
                f"{MAX_SHEET_CELLS:,} cells can be read (a stray cell far below? delete it)"
            )

    def add_refs(self, refs: list[tuple[bytes, bytes]]) -> None:
        columns = [_column(letters.decode()) for letters in set(map(itemgetter(0), refs))]
        rows = list(map(int, map(itemgetter(1), refs)))
        self.add((min(rows), max(rows)), (min(columns), max(columns)))


def _chunks(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The sheet's XML in pieces that each end before a tag: no tag is cut in two."""
    carry, read = b"", 0
    with book.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > MAX_SHEET_XML_BYTES:
                raise UnsafeSheet(f"sheet {info.filename} holds over {MAX_SHEET_XML_BYTES:,} bytes of XML")
            data = carry + chunk
            cut = max(data.rfind(b"<"), 0)
            if cut == 0 and len(data) > 4 * _CHUNK:  # a cell holds at most 32,767 characters
                raise UnsafeSheet(f"sheet {info.filename} has a tag or text of over {4 * _CHUNK:,} bytes")
            carry = data[cut:]
            yield data[:cut]
    yield carry


def _scan(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Every cell reference of one sheet, streamed; False if some cell has none."""
    extent = _Extent(info.filename)
    complete = True
    for piece in _chunks(book, info):
        refs = _CELL_REF.findall(piece)
        if refs:
            extent.add_refs(refs)
        complete = complete and sum(map(piece.count, _CELL_TAGS)) == len(refs)
    return complete


def _scan_parsed(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """The slower exact scan, with an XML parser, of a sheet whose cells may lack references:
    each such cell follows the one before it, as the reader places it."""
    extent = _Extent(info.filename)
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    row, column = 0, 0
    rows_so_far: Element | None = None  # <sheetData>: rows are dropped from it once scanned
    for piece in _chunks(book, info):
        parser.feed(piece)
        for event, element in cast("Iterator[tuple[str, Element]]", parser.read_events()):
            tag = element.tag.rpartition("}")[2]
            if event == "end":
                if tag == "row" and rows_so_far is not None:
                    rows_so_far.clear()
            elif tag == "sheetData":
                rows_so_far = element
            elif tag == "row":
                number = element.get("r")
                if number is not None and not _NUMBER.fullmatch(number.strip()):
                    raise UnsafeSheet(f"sheet {info.filename} has a row number {number[:20]!r}")
                row, column = (int(number) if number else row + 1), 0
            elif tag == "c":
                ref = element.get("r")
                row, column = _cell(info.filename, ref) if ref else (row, column + 1)
                extent.add((row, row), (column, column))
    parser.close()


def check_xlsx_size(path: Path) -> None:
    """Raise UnsafeSheet if any sheet spans more than the reader may allocate.

    Every sheet is checked, hidden ones too: cheaper than resolving which one is read, and a
    file with such a sheet is not a department's export. A sheet that is not XML is refused
    here (the reader may read further into it than a parser); a file that is not a zip is
    left to the reader, which names the fault."""
    try:
        with zipfile.ZipFile(path) as book:
            for info in book.infolist():
                if _WORKSHEET.fullmatch(info.filename):
                    try:
                        if not _scan(book, info):
                            _scan_parsed(book, info)
                    except ParseError as exc:
                        raise UnsafeSheet(f"sheet {info.filename} is not well-formed XML: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        return
