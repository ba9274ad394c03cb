"""Which Excel reader the loader uses: python-calamine against openpyxl (read-only mode, as
its documentation recommends for large files) on the same 100,000-row sheet of persons.

    python -m bench.excel [--rows 100000]

Prints each reader's seconds (median of three runs, with min and max) and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import python_calamine

HEADER = ["身份证号", "姓名", "性别", "出生日期", "户编号", "与户主关系", "开户行", "账号"]


def write_sheet(path: Path, rows: int) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("persons")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(
            [
                f"37083119{i % 90 + 10:02d}0101{i % 1000:03d}X",
                f"王建{i % 97}",
                "男",
                date(1950, 1, 1) + timedelta(days=i % 20000),
                f"H{i // 3:08d}",
                "户主",
                "农商行",
                f"62284800{i:011d}",
            ]
        )
    book.save(path)


def calamine(path: Path) -> int:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return len(book.get_sheet_by_index(0).to_python())


def with_openpyxl(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "persons.xlsx"
        write_sheet(path, args.rows)
        timings: dict[str, list[float]] = {"python-calamine": [], "openpyxl (read_only)": []}
        for _ in range(3):
            for name, reader in (("python-calamine", calamine), ("openpyxl (read_only)", with_openpyxl)):
                started = time.perf_counter()
                assert reader(path) == args.rows + 1
                timings[name].append(time.perf_counter() - started)
    for name, runs in timings.items():
        print(
            f"{name:22} median {statistics.median(runs):6.2f} s  "
            f"(min {min(runs):.2f}, max {max(runs):.2f}, 3 runs)"
        )
    a, b = (statistics.median(v) for v in timings.values())
    print(f"python-calamine is {b / a:.1f}x faster on {args.rows:,} rows")


if __name__ == "__main__":
    main()
