"""A hand-built miniature county, written as export files, for loader tests."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from domain.ids import make_id_number

TOWNSHIP = "370831100"
VILLAGE_A = "370831100001"
VILLAGE_B = "370831100002"

# Six residents in three households.
WANG = make_id_number("370831", date(1950, 3, 4), 11)  # head of H1, male
LI = make_id_number("370831", date(1953, 6, 1), 12)  # spouse in H1
ZHAO = make_id_number("370883", date(1980, 1, 9), 31)  # head of H2 (registered in another county)
ZHAO_CHILD = make_id_number("370831", date(2012, 9, 9), 42)
CHEN = make_id_number("370831", date(1975, 12, 24), 53)  # head of H3, a caseworker
SMITH = "E12345678"  # a foreign resident's passport

ACCOUNT_WANG = "6228480012345678901"


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_mini_county(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(
            folder / "regions.csv",
            [
                "township_code",
                "township_name",
                "township_population",
                "village_code",
                "village_name",
                "village_kind",
            ],
            [
                [TOWNSHIP, "泉林镇", 52000, VILLAGE_A, "东村", "village"],
                [TOWNSHIP, "泉林镇", 52000, VILLAGE_B, "卞桥社区", "community"],
            ],
        ),
        write_csv(
            folder / "households.csv",
            ["household_id", "village_code", "address", "registered_date"],
            [
                ["H1", VILLAGE_A, "泉林镇东村1号", "2001-01-01"],
                ["H2", VILLAGE_B, "泉林镇卞桥社区2号", ""],
                ["H3", VILLAGE_B, "泉林镇卞桥社区3号", ""],
            ],
        ),
        write_csv(
            folder / "persons_GA.csv",
            [
                "document_type",
                "id_number",
                "name",
                "sex",
                "birth_date",
                "household_id",
                "relation",
                "member_since",
            ],
            [
                ["", WANG.lower(), "王建国", "", "", "H1", "head", "2001-01-01"],
                ["", LI, "李秀英", "F", "1953-06-01", "H1", "spouse", "2001-01-01"],
                ["", ZHAO[:6] + ZHAO[8:17], "赵磊", "", "", "H2", "head", "2005-05-05"],
                ["", ZHAO_CHILD, "赵子涵", "", "", "H2", "child", "2012-09-09"],
                ["", CHEN, "陈静", "", "", "H3", "head", "2010-01-01"],
                ["passport", SMITH, "John Smith", "M", "1970-01-01", "H3", "other", "2020-01-01"],
            ],
            encoding="gb18030",
        ),
        write_csv(
            folder / "staff.csv",
            ["staff_id", "id_number", "role", "department", "township_code", "village_code", "active_from"],
            [["S1", CHEN, "caseworker", "MZ", TOWNSHIP, "", "2015-01-01"]],
        ),
        write_csv(
            folder / "bank_accounts.csv",
            ["account_number", "bank", "holder_id_number"],
            [[ACCOUNT_WANG, "农村商业银行", WANG]],
        ),
        write_csv(
            folder / "phones.csv",
            ["id_number", "phone", "source", "as_of"],
            [[WANG, "138 0537 0001", "GA", "2026-01-01"], [ZHAO, "13805370001", "MZ", "2026-02-01"]],
        ),
        write_csv(
            folder / "cases.csv",
            [
                "case_id",
                "programme",
                "household_id",
                "applicant_id_number",
                "channel",
                "submitted_date",
                "status",
                "commitment_signed",
                "handled_by",
            ],
            [["C1", "DIBAO", "H1", WANG, "window", "2025-11-01", "approved", "yes", "S1"]],
        ),
        write_csv(
            folder / "enrollments.csv",
            [
                "enrollment_id",
                "programme",
                "case_id",
                "household_id",
                "id_number",
                "covered_id_numbers",
                "start_date",
                "monthly_amount",
                "account_number",
            ],
            [["E1", "DIBAO", "C1", "H1", "", f"{WANG};{LI}", "2026-01-01", "1,040.00", ACCOUNT_WANG]],
        ),
        write_csv(
            folder / "payments.csv",
            ["payment_id", "enrollment_id", "period", "amount", "paid_date", "account_number"],
            [
                ["P1", "E1", "2026-01", "1040", "2026-01-10", ACCOUNT_WANG],
                ["P2", "E1", "2026-02", "1040.00", "2026-02-10", ACCOUNT_WANG],
            ],
        ),
        write_csv(
            folder / "vehicles_GA.csv",
            ["record_id", "id_number", "source", "as_of", "plate", "vehicle_type", "brand"],
            [["V-1", ZHAO, "GA", "2026-10-01", "鲁H12345", "car", "五菱宏光"]],
            encoding="gbk",
        ),
    ]
