"""Small hand-built counties for detection tests, written as department export files and
loaded by the real loader (so the graph has exactly the shapes production data has)."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from neo4j import Driver

from domain.ids import make_id_number
from loaders.feeds import FEEDS
from loaders.run import Loader
from settings import Settings

T1, T2 = "370831100", "370831101"  # T1: 52,000 residents (rule: 5 caseworkers); T2: 8,000 (rule: 3)
VA, VB, VC = "370831100001", "370831100002", "370831101001"
AS_OF = date(2026, 11, 1)


class County:
    """Rows per feed; methods add the entities a test needs and return their keys."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._seq = itertools.count(1)
        self._person_seq = itertools.count(101)
        for township, name, population, villages in (
            (T1, "泉林镇", 52000, ((VA, "东村"), (VB, "西村"))),
            (T2, "星村镇", 8000, ((VC, "南村"),)),
        ):
            for code, vname in villages:
                self.rows["regions"].append(
                    {
                        "township_code": township,
                        "township_name": name,
                        "township_population": population,
                        "village_code": code,
                        "village_name": vname,
                        "village_kind": "village",
                    }
                )

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq):04d}"

    def household(self, village: str = VA, address: str | None = None) -> str:
        hid = f"H{village}{next(self._seq):04d}"
        self.rows["households"].append(
            {
                "household_id": hid,
                "village_code": village,
                "address": address or f"{village}号{hid[-4:]}",
                "registered_date": "2001-01-01",
            }
        )
        return hid

    def person(
        self,
        household: str,
        name: str,
        born: date,
        sex: str = "M",
        relation: str = "head",
        id_number: str | None = None,
        since: str = "2001-01-01",
        until: str = "",
        document_type: str = "resident_id",
    ) -> str:
        seq = next(self._person_seq) * 2 + (1 if sex == "M" else 0)
        id_number = id_number or make_id_number("370831", born, seq % 1000)
        self.rows["persons"].append(
            {
                "document_type": document_type,
                "id_number": id_number,
                "name": name,
                "sex": sex,
                "birth_date": born.isoformat(),
                "household_id": household,
                "relation": relation,
                "member_since": since,
                "member_until": until,
            }
        )
        return id_number

    def move(self, person: str, household: str, since: str, until: str = "", relation: str = "other") -> None:
        """Another membership of a person already registered (one register row per membership)."""
        first = next(r for r in self.rows["persons"] if r["id_number"] == person)
        self.rows["persons"].append(
            {
                **first,
                "household_id": household,
                "relation": relation,
                "member_since": since,
                "member_until": until,
            }
        )

    def staff(self, person: str, role: str = "caseworker", township: str = T1, village: str = "") -> str:
        staff_id = self.next_id("S")
        self.rows["staff"].append(
            {
                "staff_id": staff_id,
                "id_number": person,
                "role": role,
                "department": "MZ",
                "township_code": township,
                "village_code": village,
                "active_from": "2015-01-01",
            }
        )
        return staff_id

    def phone(self, person: str, number: str) -> None:
        self.rows["phones"].append(
            {"id_number": person, "phone": number, "source": "MZ", "as_of": "2026-01-01"}
        )

    def account(self, person: str, number: str, joint: bool = False) -> str:
        self.rows["bank_accounts"].append(
            {
                "account_number": number,
                "bank": "农商行",
                "holder_id_number": person,
                "joint_holder": "yes" if joint else "",
            }
        )
        return number

    def address(self, person: str, address: str) -> None:
        self.rows["addresses"].append(
            {
                "id_number": person,
                "address": address,
                "kind": "residence",
                "source": "MZ",
                "as_of": "2026-01-01",
            }
        )

    def kin(self, a: str, b: str, relation: str = "sibling") -> None:
        self.rows["kinship"].append(
            {"id_number": a, "relative_id_number": b, "relation": relation, "source": "GA"}
        )

    def filing(self, staff_id: str, relative: str, relation: str = "sibling") -> None:
        self.rows["relative_filings"].append(
            {
                "staff_id": staff_id,
                "relative_id_number": relative,
                "relation": relation,
                "filed_date": "2024-01-01",
            }
        )

    def case(
        self,
        household: str,
        applicant: str,
        programme: str = "DIBAO",
        status: str = "approved",
        submitted: str = "2025-11-01",
        handled_by: str = "",
        reviewed_by: str = "",
        approved_by: str = "",
    ) -> str:
        case_id = self.next_id("C")
        self.rows["cases"].append(
            {
                "case_id": case_id,
                "programme": programme,
                "household_id": household,
                "applicant_id_number": applicant,
                "channel": "window",
                "submitted_date": submitted,
                "status": status,
                "commitment_signed": "yes",
                "handled_by": handled_by,
                "reviewed_by": reviewed_by,
                "approved_by": approved_by,
                "decided_date": "2025-11-20" if status == "approved" else "",
            }
        )
        return case_id

    def enrollment(
        self,
        programme: str,
        *,
        household: str = "",
        person: str = "",
        covered: list[str] = (),
        start: str = "2026-01-01",
        end: str = "",
        monthly: str = "500.00",
        account: str = "",
        case: str = "",
    ) -> str:
        enrollment_id = self.next_id("E")
        self.rows["enrollments"].append(
            {
                "enrollment_id": enrollment_id,
                "programme": programme,
                "case_id": case,
                "household_id": household,
                "id_number": person,
                "covered_id_numbers": ";".join(covered),
                "start_date": start,
                "end_date": end,
                "monthly_amount": monthly,
                "account_number": account,
            }
        )
        return enrollment_id

    def payment(
        self,
        enrollment: str,
        period: str,
        amount: str = "500.00",
        account: str = "",
        cause: str = "",
        event_date: str = "",
    ) -> str:
        payment_id = self.next_id("P")
        self.rows["payments"].append(
            {
                "payment_id": payment_id,
                "enrollment_id": enrollment,
                "period": period,
                "amount": amount,
                "paid_date": f"{period}-10",
                "account_number": account or "6228480000000000001",
                "event_cause": cause,
                "event_date": event_date,
            }
        )
        return payment_id

    def fact(self, feed: str, person: str, source: str, **values: Any) -> str:
        record_id = self.next_id("R")
        self.rows[feed].append(
            {"record_id": record_id, "id_number": person, "source": source, "as_of": "2026-06-01", **values}
        )
        return f"{source}:{record_id}"

    def death(self, person: str, died: str, reported: str, source: str = "GA") -> str:
        """A death as the department reported it, on `reported` (often months after `died`)."""
        record_id = self.next_id("R")
        self.rows["deaths"].append(
            {
                "record_id": record_id,
                "id_number": person,
                "source": source,
                "as_of": reported,
                "death_date": died,
            }
        )
        return f"{source}:{record_id}"

    def visit(self, household: str, staff_id: str, when: str) -> None:
        self.rows["visits"].append(
            {
                "visit_id": self.next_id("V"),
                "household_id": household,
                "staff_id": staff_id,
                "visit_date": when,
                "note": "探访",
            }
        )

    def allocation(self, township: str, period: str, amount: str, programme: str = "DIBAO") -> str:
        self.rows["allocations"].append(
            {
                "township_code": township,
                "programme": programme,
                "period": period,
                "amount": amount,
                "source": "CZ",
            }
        )
        return f"{township}-{programme}-{period}"

    def line(
        self,
        period: str,
        account: str,
        amount: str = "500.00",
        *,
        household: str = "",
        person: str = "",
        programme: str = "DIBAO",
        township: str = T1,
        enrollment: str = "",
    ) -> str:
        """One line of the payment file sent to the bank (发放清册)."""
        line_id = self.next_id("L")
        self.rows["payment_files"].append(
            {
                "line_id": line_id,
                "file_id": f"F{township}{period}",
                "township_code": township,
                "programme": programme,
                "period": period,
                "household_id": household,
                "id_number": person,
                "enrollment_id": enrollment,
                "account_number": account,
                "amount": amount,
            }
        )
        return line_id

    def bank_return(
        self, line_id: str, status: str = "credited", account: str = "", amount: str = "", reason: str = ""
    ) -> None:
        """The bank's answer to one line (回盘); credited lines default to the line's account and amount."""
        line = next(r for r in self.rows["payment_files"] if r["line_id"] == line_id)
        if status == "credited":
            account, amount = account or line["account_number"], amount or line["amount"]
        self.rows["bank_returns"].append(
            {
                "line_id": line_id,
                "status": status,
                "account_number": account,
                "amount": amount,
                "value_date": f"{line['period']}-12",
                "reason": reason,
            }
        )

    def poor(self, household: str, earner: str, size: int, per_capita_monthly: int = 200) -> None:
        self.fact("incomes", earner, "SW", year=2025, annual_income=f"{per_capita_monthly * 12 * size}.00")

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for feed, rows in self.rows.items():
            columns = FEEDS[feed].columns
            path = folder / f"{feed}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows([r.get(c, "") for c in columns] for r in rows)
            paths.append(path)
        return paths

    def load(self, driver: Driver, settings: Settings, folder: Path) -> None:
        report = Loader(driver, settings, rejects_dir=folder / "rejects").load(self.write(folder))
        assert report.rejected == 0, [f.rejects_file for f in report.files if f.rejects_file]
