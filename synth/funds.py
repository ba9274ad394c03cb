"""The money's path in the synthetic county (domain.md §12): budget lines and allocations, the
payment files of the last months and the bank's returns, with reconciliation cases planted
and background drawn across the rules (amounts a cent apart, grants starting in or after the
paid month, the month a grant ends and the one after, re-issues to a household's own new
account or an outsider's, allocations met exactly or overrun, two households in one account
or three). Whether each is a finding is the oracle's call (synth/oracle.py).

It runs last, on a random generator of its own, so the rows the rest of the county writes stay as
they were; it adds accounts, and the cases and grants of the fresh households it stops.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from synth.export import PERIODS, Export
from synth.plants import fresh_household

FILE_PERIODS = PERIODS[-2:]  # the payment files of the last two months paid
MONTHLY = ("DIBAO", "DIBAO_EDGE", "TEKUN", "ORPHAN")


def _last_day(period: str) -> date:
    year, month = map(int, period.split("-"))
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


class Funds:
    def __init__(self, export: Export, rng: random.Random) -> None:
        self.export, self.rng = export, rng
        rows = export.rows
        self.township_of = {h.household_id: h.township_code for h in export.population.households.values()}
        self.home = {p.id_number: p.household_id for p in export.population.persons.values()}
        self.paid_account: dict[tuple[str, str], str] = {}
        for p in rows["payments"]:
            self.paid_account[(p["enrollment_id"], p["period"])] = p["account_number"]
        self.lines: list[dict[str, Any]] = []
        self.returns: dict[str, dict[str, Any]] = {}

    def new_account(self, holder: str | None) -> str:
        number = "6217" + "".join(str(self.rng.randrange(10)) for _ in range(15))
        if holder is not None:
            self.export.rows["bank_accounts"].append(
                {
                    "account_number": number,
                    "bank": "泗水农商银行",
                    "holder_id_number": holder,
                    "opened_date": "",
                }
            )
        return number

    def township(self, household_id: str | None, id_number: str | None) -> str:
        return self.township_of[household_id or self.home[id_number or ""]]

    def add_line(
        self, period: str, e: dict[str, Any] | None, account: str, amount: str, **grantee: str
    ) -> dict:
        household_id = grantee.get("household_id", e["household_id"] if e else "")
        id_number = grantee.get("id_number", e["id_number"] if e else "")
        township = grantee.get("township") or self.township(household_id or None, id_number or None)
        line = {
            "line_id": self.export.next_id("L"),
            "file_id": f"FF{township}{period.replace('-', '')}",
            "township_code": township,
            "programme": grantee.get("programme", e["programme"] if e else "DIBAO"),
            "period": period,
            "household_id": household_id,
            "id_number": id_number,
            "enrollment_id": e["enrollment_id"] if e else "",
            "payee_name": "",
            "account_number": account,
            "amount": amount,
        }
        self.lines.append(line)
        self.returns[line["line_id"]] = {
            "line_id": line["line_id"],
            "status": "credited",
            "account_number": account,
            "amount": amount,
            "value_date": f"{period}-12",
            "reason": "",
            "note": "",
        }
        return line

    def ordinary(self) -> None:
        """One line per monthly grant that covers the month, into its account, its amount."""
        for e in self.export.rows["enrollments"]:
            if e["programme"] not in MONTHLY or not e["monthly_amount"]:
                continue
            start = date.fromisoformat(e["start_date"])
            end = date.fromisoformat(e["end_date"]) if e["end_date"] else date.max
            for period in FILE_PERIODS:
                first = date.fromisoformat(period + "-01")
                if start > _last_day(period) or end < first:
                    continue
                account = e["account_number"] or self.paid_account.get((e["enrollment_id"], period))
                if account:
                    self.add_line(period, e, account, e["monthly_amount"])

    def pick(self, need=lambda line: True) -> dict[str, Any]:
        """A line untouched so far (every plant works on lines of its own)."""
        for _ in range(10_000):
            line = self.rng.choice(self.lines)
            if not line.get("_used") and line["household_id"] and need(line):
                line["_used"] = True
                return line
        raise LookupError("no line fits; use a larger scale")

    def where(self, line: dict[str, Any]) -> dict[str, list[str]]:
        """A line's township and registered household, as the oracle's labels name them."""
        registered = line["household_id"] in self.export.population.households
        return {
            "townships": [line["township_code"]],
            "households": [line["household_id"]] if registered else [],
        }

    def stranger(self) -> str:
        return self.rng.choice(sorted(self.export.population.persons))

    def plant(self, i: int) -> None:
        x = self.export
        rng = self.rng
        # The file asks more (or less) than approved; beside it, a cent apart or equal.
        line = self.pick()
        line["amount"] = f"{float(line['amount']) + rng.choice((-1, 1)) * rng.randint(30, 300):.2f}"
        self.returns[line["line_id"]]["amount"] = line["amount"]
        x.label(
            "FUND_AMOUNT_MISMATCH",
            "the file's amount is not the approved one",
            lines=[line["line_id"]],
            **self.where(line),
        )
        line = self.pick()
        line["amount"] = f"{float(line['amount']) + rng.choice((0.0, 0.01)):.2f}"
        # A line for a household holding no grant, and one for a household no register holds.
        enrolled = {e["household_id"] for e in x.rows["enrollments"]}
        free = [h for _, h in sorted(x.population.households.items()) if h.household_id not in enrolled]
        h = rng.choice(free)
        line = self.add_line(
            FILE_PERIODS[-1],
            None,
            self.new_account(h.head.id_number),
            "520.00",
            household_id=h.household_id,
            id_number="",
        )
        x.label(
            "FUND_LINE_WITHOUT_GRANT", "no grant behind the line", lines=[line["line_id"]], **self.where(line)
        )
        ghost = self.add_line(
            FILE_PERIODS[-1],
            None,
            self.new_account(None),
            "520.00",
            household_id=f"HX{i:06d}",
            id_number="",
            township=rng.choice(list(self.township_of.values())),
        )
        ghost["_used"] = True  # no later plant may pick it: its household is in no register
        x.label(
            "FUND_LINE_WITHOUT_GRANT",
            "a household no register holds",
            lines=[ghost["line_id"]],
            **self.where(ghost),
        )
        # The bank credited another account than the file named.
        line = self.pick()
        self.returns[line["line_id"]]["account_number"] = self.new_account(self.stranger())
        x.label("FUND_ACCOUNT_MISMATCH", "credited elsewhere", lines=[line["line_id"]], **self.where(line))
        # Refused and re-issued: to an outsider's account, or (straddle) to the head's new one.
        for outsider in (True, rng.random() < 0.5):
            line = self.pick()
            self.returns[line["line_id"]].update(
                status="refused",
                account_number="",
                amount="",
                reason=rng.choice(("account_closed", "name_mismatch")),
            )
            holder = self.stranger() if outsider else self._head(line["household_id"])
            again = self.add_line(
                line["period"],
                self._grant(line),
                self.new_account(holder),
                line["amount"],
                household_id=line["household_id"],
                id_number="",
            )
            again["_used"] = True
            if outsider:
                x.label(
                    "FUND_REISSUED_ELSEWHERE",
                    "re-issued to an outsider",
                    lines=[line["line_id"], again["line_id"]],
                    **self.where(again),
                )
        # An agent's account credited for three households (or, beside it, two).
        for count in (3, 2):
            agent = self.new_account(self.stranger())
            period = rng.choice(FILE_PERIODS)
            picked = [self.pick(lambda ln, p=period: ln["period"] == p) for _ in range(count)]
            for ln in picked:
                ln["account_number"] = agent
                self.returns[ln["line_id"]]["account_number"] = agent
            if count == 3:
                x.label(
                    "FUND_AGENT_ACCOUNT",
                    "one account for three households",
                    accounts=[agent],
                    households=[ln["household_id"] for ln in picked],
                )

    def _head(self, household_id: str) -> str:
        return self.export.population.households[household_id].head.id_number

    def _grant(self, line: dict[str, Any]) -> dict[str, Any] | None:
        return next(
            (e for e in self.export.rows["enrollments"] if e["enrollment_id"] == line["enrollment_id"]), None
        )

    def stopped_grants(self) -> None:
        """Grants that ended, or whose case was terminated, in the file's first month: that
        month is still due, the next is not. (Fresh households, drawn last, leave every other
        plant as it was.)"""
        x = self.export
        month_end = _last_day(FILE_PERIODS[0])
        for how in ("ended", "terminated"):
            granted = {e["household_id"] for e in x.rows["enrollments"]}
            household = fresh_household(x, size=(1, 4), need=lambda h, g=granted: h.household_id not in g)
            head = household.head
            account = self.new_account(head.id_number)
            case_id = ""
            if how == "terminated":
                stopped_on = month_end - timedelta(days=self.rng.randint(0, 20))
                case_id = x.add_case(
                    household, "DIBAO", head, date(2025, 1, 5), status="terminated", decided=stopped_on
                )
            enrollment_id = x.add_enrollment(
                "DIBAO",
                date(2025, 2, 1),
                household=household,
                covered=household.members,
                monthly=300 * len(household.members),
                case_id=case_id,
                end=month_end if how == "ended" else None,
                account=account,
            )
            e = x.rows["enrollments"][-1]
            lines = [self.add_line(period, e, account, e["monthly_amount"]) for period in FILE_PERIODS]
            for line in lines:
                line["_used"] = True
            after = [ln["line_id"] for ln in lines if ln["period"] > FILE_PERIODS[0]]
            x.label(
                "FUND_PAID_AFTER_END",
                f"listed after the grant {how}",
                enrollments=[enrollment_id],
                lines=after,
                **self.where(lines[0]),
            )

    def after_end(self) -> None:
        """Grants that ended in the file's months: the month of the end, and (sometimes) the next."""
        ended = [
            e
            for e in self.export.rows["enrollments"]
            if e["programme"] in MONTHLY
            and e["monthly_amount"]
            and e["household_id"]
            and e["end_date"]
            and FILE_PERIODS[0] <= e["end_date"][:7] < FILE_PERIODS[-1]
        ]
        for e in self.rng.sample(ended, min(len(ended), 6)):
            account = e["account_number"] or self.paid_account.get((e["enrollment_id"], e["end_date"][:7]))
            if account:
                self.add_line(FILE_PERIODS[-1], e, account, e["monthly_amount"])["_used"] = True

    def allocations(self, per_kind: int) -> None:
        paid: dict[tuple[str, str, str], int] = defaultdict(int)
        for line in self.lines:
            if self.returns[line["line_id"]]["status"] == "credited":
                paid[(line["township_code"], line["programme"], line["period"])] += round(
                    float(line["amount"]) * 100
                )
        cells = sorted(paid)
        over = set(self.rng.sample(cells, min(per_kind, len(cells))))
        exact = set(self.rng.sample(sorted(set(cells) - over), min(per_kind, len(cells) - len(over))))
        for cell in cells:
            fen = paid[cell]
            if cell in over:
                fen -= self.rng.randint(1, 5000)
                self.export.label(
                    "FUND_OVER_ALLOCATION",
                    "paid beyond the allocation",
                    allocations=["-".join(cell)],
                    townships=[cell[0]],
                )
            elif cell not in exact:
                fen = (fen * 105 // 100 // 100_000 + 1) * 100_000
            township, programme, period = cell
            self.export.rows["allocations"].append(
                {
                    "township_code": township,
                    "programme": programme,
                    "period": period,
                    "amount": f"{fen / 100:.2f}",
                    "source": "CZ",
                }
            )
        by_programme: dict[str, int] = defaultdict(int)
        for a in self.export.rows["allocations"]:
            by_programme[a["programme"]] += round(float(a["amount"]) * 100)
        for programme, fen in sorted(by_programme.items()):
            yearly = fen * 12 // len(FILE_PERIODS)
            self.export.rows["budgets"].append(
                {"programme": programme, "year": 2026, "amount": f"{yearly / 100:.2f}", "source": "CZ"}
            )
        # The county's temporary-assistance reserve the green channel's urgent grants draw on.
        urgent = sum(float(c["urgent_amount"]) for c in self.export.rows["cases"] if c.get("urgent_amount"))
        self.export.rows["budgets"].append(
            {
                "programme": "TEMP",
                "year": 2026,
                "amount": f"{urgent + 200_000:.2f}",
                "source": "CZ",
                "reserve": "yes",
            }
        )


def fund_files(export: Export, seed: int, per_kind: int) -> None:
    funds = Funds(export, random.Random(seed + 29))
    funds.ordinary()
    funds.after_end()
    for i in range(per_kind):
        funds.plant(i)
        funds.stopped_grants()
    funds.allocations(per_kind)
    export.rows["payment_files"] = [
        {k: v for k, v in ln.items() if not k.startswith("_")} for ln in funds.lines
    ]
    export.rows["bank_returns"] = [funds.returns[ln["line_id"]] for ln in funds.lines]
