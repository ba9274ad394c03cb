"""Rows of every feed, accumulated as a county office would receive them."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from synth.population import AS_OF, Household, Person, Population

PERIODS = tuple(f"2026-{m:02d}" for m in range(1, 11))  # Jan-Oct 2026 paid so far
DIBAO_LINE_URBAN = 760  # yuan per person per month (default rule values)
DIBAO_LINE_RURAL = 520
TEKUN_MONTHLY = 840
STREET_TOWNSHIPS = ("370831001", "370831002")
BANKS = ("农村商业银行", "中国农业银行", "中国邮政储蓄银行", "中国工商银行", "中国建设银行")


def dibao_line(household: Household) -> int:
    return DIBAO_LINE_URBAN if household.township_code in STREET_TOWNSHIPS else DIBAO_LINE_RURAL


VEHICLE_BRANDS = ("五菱宏光", "比亚迪秦", "大众捷达", "长安悦翔", "吉利帝豪")


class Export:
    def __init__(self, population: Population, rng: random.Random) -> None:
        self.population = population
        self.rng = rng
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.labels: list[dict[str, Any]] = []
        self.counters: dict[str, int] = defaultdict(int)
        self.accounts: dict[str, str] = {}  # holder id -> account number
        self.phones: dict[str, str] = {}
        self.staff: dict[str, dict[str, Any]] = {}  # staff_id -> staff row
        self.staff_by_person: dict[str, str] = {}
        self._staff_index: dict[tuple[str, str, str | None], list[str]] = defaultdict(list)
        self.enrolled: set[str] = set()  # household ids with a basic-living grant
        self.reserved: set[str] = set()  # person ids a plant uses: base data leaves them alone
        self.population_disabled: set[str] = set()
        self.near_misses: list[dict[str, Any]] = []
        self.same_person: list[
            tuple[str, str]
        ] = []  # ID numbers registered for one person (identity's truth)

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]:07d}"

    # --- identifiers
    def account_of(self, person: Person) -> str:
        if person.id_number not in self.accounts:
            number = "6228" + "".join(str(self.rng.randrange(10)) for _ in range(15))
            self.accounts[person.id_number] = number
            self.rows["bank_accounts"].append(
                {
                    "account_number": number,
                    "bank": self.rng.choice(BANKS),
                    "holder_id_number": person.id_number,
                    "opened_date": (AS_OF - timedelta(days=self.rng.randint(200, 5000))).isoformat(),
                }
            )
        return self.accounts[person.id_number]

    def phone_of(self, person: Person, source: str = "GA") -> str:
        if person.id_number not in self.phones:
            number = self.rng.choice(("13", "15", "18", "17")) + "".join(
                str(self.rng.randrange(10)) for _ in range(9)
            )
            self.phones[person.id_number] = number
            self.add_phone(person, number, source)
        return self.phones[person.id_number]

    def add_phone(self, person: Person, number: str, source: str) -> None:
        self.rows["phones"].append(
            {
                "id_number": person.id_number,
                "phone": number,
                "source": source,
                "as_of": (AS_OF - timedelta(days=self.rng.randint(10, 400))).isoformat(),
            }
        )

    def add_fact(self, feed: str, source: str, person: Person, **fields: Any) -> str:
        record_id = self.next_id(source + "-")
        as_of = fields.pop("as_of", AS_OF - timedelta(days=self.rng.randint(5, 90)))
        if feed == "vehicles":
            # GA's registry exports carry the brand (品牌). Derived from the plate, so adding
            # the column draws nothing from the generator's random stream.
            fields.setdefault("brand", VEHICLE_BRANDS[int(fields["plate"][-1]) % len(VEHICLE_BRANDS)])
        self.rows[feed].append(
            {
                "record_id": record_id,
                "id_number": person.id_number,
                "source": source,
                "as_of": as_of.isoformat(),
                **fields,
            }
        )
        return f"{source}:{record_id}"

    # --- benefits
    def register_staff(self, row: dict[str, Any]) -> None:
        self.rows["staff"].append(row)
        self.staff[row["staff_id"]] = row
        self.staff_by_person[row["id_number"]] = row["staff_id"]
        self._staff_index[(row["township_code"], row["role"], None)].append(row["staff_id"])
        if row["village_code"]:
            self._staff_index[(row["township_code"], row["role"], row["village_code"])].append(
                row["staff_id"]
            )

    def staff_of(self, township_code: str, role: str, village_code: str | None = None) -> str:
        """A staff member of that role and posting (IndexError when there is none)."""
        return self.rng.choice(self._staff_index[(township_code, role, village_code)])

    def staff_posted(self, township_code: str, role: str, village_code: str | None = None) -> list[str]:
        return list(self._staff_index[(township_code, role, village_code)])

    def add_case(
        self,
        household: Household,
        programme: str,
        applicant: Person,
        submitted: date,
        *,
        status: str = "approved",
        handled_by: str | None = None,
        decided: date | None = None,
    ) -> str:
        case_id = self.next_id("C")
        township = household.township_code
        approved = status in {"approved", "suspended", "terminated"}
        self.rows["cases"].append(
            {
                "case_id": case_id,
                "programme": programme,
                "household_id": household.household_id,
                "applicant_id_number": applicant.id_number,
                "channel": self.rng.choice(("window", "window", "online", "assisted")),
                "submitted_date": submitted.isoformat(),
                "status": status,
                "commitment_signed": "yes",
                "handled_by": handled_by or self.staff_of(township, "caseworker"),
                "reviewed_by": self.staff_of(township, "reviewer") if approved else "",
                "approved_by": self.staff_of(township, "approver") if approved else "",
                "decided_date": (decided or submitted + timedelta(days=self.rng.randint(10, 25))).isoformat()
                if approved
                else "",
                "reason": "",
            }
        )
        return case_id

    def add_enrollment(
        self,
        programme: str,
        start: date,
        *,
        household: Household | None = None,
        person: Person | None = None,
        covered: list[Person] | None = None,
        monthly: int | None = None,
        case_id: str = "",
        end: date | None = None,
        account: str = "",
    ) -> str:
        enrollment_id = self.next_id("E")
        self.rows["enrollments"].append(
            {
                "enrollment_id": enrollment_id,
                "programme": programme,
                "case_id": case_id,
                "household_id": household.household_id if household else "",
                "id_number": person.id_number if person else "",
                "covered_id_numbers": ";".join(p.id_number for p in (covered or [])),
                "start_date": start.isoformat(),
                "end_date": end.isoformat() if end else "",
                "monthly_amount": f"{monthly:.2f}" if monthly is not None else "",
                "account_number": account,
            }
        )
        return enrollment_id

    def add_payment(
        self,
        enrollment_id: str,
        period: str,
        amount: int | float,
        account: str,
        event_cause: str = "",
        event_date: date | None = None,
    ) -> str:
        payment_id = self.next_id("P")
        year, month = map(int, period.split("-"))
        self.rows["payments"].append(
            {
                "payment_id": payment_id,
                "enrollment_id": enrollment_id,
                "period": period,
                "amount": f"{amount:.2f}",
                "paid_date": date(year, month, 10).isoformat(),
                "account_number": account,
                "event_cause": event_cause,
                "event_date": event_date.isoformat() if event_date else "",
            }
        )
        return payment_id

    def monthly_payments(
        self, enrollment_id: str, start: date, amount: int, account: str, last_period: str = PERIODS[-1]
    ) -> list[str]:
        first = f"{start.year}-{start.month:02d}"
        return [
            self.add_payment(enrollment_id, p, amount, account) for p in PERIODS if first <= p <= last_period
        ]

    def add_visit(self, household: Household, staff_id: str, visited: date) -> str:
        visit_id = self.next_id("V")
        self.rows["visits"].append(
            {
                "visit_id": visit_id,
                "household_id": household.household_id,
                "staff_id": staff_id,
                "visit_date": visited.isoformat(),
                "note": "入户走访",
            }
        )
        return visit_id

    def payments_of(self, enrollment_id: str) -> list[dict[str, Any]]:
        return [p for p in self.rows["payments"] if p["enrollment_id"] == enrollment_id]

    def label(self, kind: str, note: str, **involved: list[str]) -> None:
        self.labels.append({"kind": kind, "note": note, **{k: sorted(set(v)) for k, v in involved.items()}})

    def near_miss(self, kind: str, note: str, **involved: list[str]) -> None:
        """A situation that looks like ``kind`` but is legitimate: detection must not flag it."""
        self.near_misses.append(
            {"kind": kind, "note": note, **{k: sorted(set(v)) for k, v in involved.items()}}
        )
