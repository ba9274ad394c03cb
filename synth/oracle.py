"""The answer key, computed by an independent oracle: plain Python over the generated tables.

The planted cases say what the generator *meant* to build; the oracle says what the tables
*are*, by DOMAIN.md section 7 and the thresholds of rules/detection.toml, read here with
tomllib (never through the detectors' code or Cypher). Background drawn across the
thresholds (synth/straddle.py) is labelled only by the oracle, so a detector is graded on
cases nobody shaped to fit it. Identity is the one kind a rule cannot decide: its truth is
the generator's record of which registrations are one person (``Export.same_person``).

Each label names what the situation is about, as detection/evaluate.py's DECIDING compares:
the pair of registrations, the households of a ring, the deceased and the payments after
the death, the grant and the disqualifying facts, and so on.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
OPEN_END = date.max


class Tables:
    """The generated rows, indexed the ways the rules need them."""

    def __init__(
        self,
        rows: dict[str, list[dict[str, Any]]],
        as_of: date,
        rules: dict[str, Any],
        programmes: dict[str, dict[str, Any]],
    ) -> None:
        rows = defaultdict(list, rows)  # a feed nobody exported has no rows
        self.rows, self.as_of, self.rules, self.programmes = rows, as_of, rules, programmes
        self.township_of_village = {r["village_code"]: r["township_code"] for r in rows["regions"]}
        self.township_of = {
            r["household_id"]: self.township_of_village[r["village_code"]] for r in rows["households"]
        }
        self.address_of = {r["household_id"]: r["address"] for r in rows["households"]}
        self.members: dict[str, list[str]] = defaultdict(list)
        self.homes: dict[str, set[str]] = defaultdict(set)
        self.born: dict[str, date] = {}
        for r in rows["persons"]:
            if not r["member_until"]:
                self.members[r["household_id"]].append(r["id_number"])
                self.homes[r["id_number"]].add(r["household_id"])
            self.born[r["id_number"]] = date.fromisoformat(r["birth_date"])
        self.died = {r["id_number"]: date.fromisoformat(r["death_date"]) for r in rows.get("deaths", [])}
        self.facts: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for feed in (
            "vehicles",
            "properties",
            "businesses",
            "employment",
            "deposits",
            "incomes",
            "disabilities",
            "vulnerabilities",
        ):
            for r in rows.get(feed, []):
                self.facts[r["id_number"]][feed].append(r)
        self.payments: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in rows.get("payments", []):
            self.payments[p["enrollment_id"]].append(p)
        self.enrollments = rows.get("enrollments", [])
        self.kin = {
            frozenset((a, b))
            for a, b, *_ in ((r["id_number"], r["relative_id_number"]) for r in rows.get("kinship", []))
        }

    # --- enrollments
    @staticmethod
    def covered(e: dict[str, Any]) -> set[str]:
        people = {x for x in e["covered_id_numbers"].split(";") if x}
        return people | ({e["id_number"]} if e["id_number"] else set())

    @staticmethod
    def period(e: dict[str, Any]) -> tuple[date, date]:
        return date.fromisoformat(e["start_date"]), date.fromisoformat(e["end_date"]) if e[
            "end_date"
        ] else OPEN_END

    def current(self, e: dict[str, Any]) -> bool:
        return self.period(e)[1] >= self.as_of

    def households_of(self, e: dict[str, Any]) -> set[str]:
        """The household a grant belongs to: its own, or its person's current one(s)."""
        return {e["household_id"]} if e["household_id"] else set(self.homes.get(e["id_number"], ()))

    def line(self, household: str) -> int:
        line = self.rules["income_line"]
        return line["urban"] if self.township_of[household] in line["urban_townships"] else line["rural"]

    def per_capita_income(self, household: str) -> float | None:
        """Monthly per member, from the latest year any member's income was verified."""
        incomes = [i for p in self.members[household] for i in self.facts[p]["incomes"]]
        if not incomes:
            return None
        year = max(int(i["year"]) for i in incomes)
        total = sum(float(i["annual_income"]) for i in incomes if int(i["year"]) == year)
        return total / 12 / len(self.members[household])

    def age(self, person: str) -> int:
        born = self.born[person]
        return self.as_of.year - born.year - ((self.as_of.month, self.as_of.day) < (born.month, born.day))


def _overlap(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _label(kind: str, note: str, **involved: Any) -> dict[str, Any]:
    return {"kind": kind, "note": note, **{k: sorted(set(v)) for k, v in involved.items()}}


# --- duplicate claims
def multi_household(t: Tables) -> list[dict[str, Any]]:
    held: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in t.enrollments:
        if e["household_id"]:
            for p in t.covered(e):
                held[p].append(e)
    labels = []
    for person, grants in held.items():
        pairs = [
            (a, b)
            for a, b in combinations(grants, 2)
            if a["household_id"] != b["household_id"] and _overlap(t.period(a), t.period(b))
        ]
        if pairs:
            used = {e["enrollment_id"]: e for pair in pairs for e in pair}
            labels.append(
                _label(
                    "DUP_PERSON_MULTI_HOUSEHOLD",
                    "covered in two households at once",
                    persons=[person],
                    households=[e["household_id"] for e in used.values()],
                    enrollments=list(used),
                )
            )
    return labels


def exclusive(t: Tables) -> list[dict[str, Any]]:
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_household: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in t.enrollments:
        for p in t.covered(e):
            by_person[p].append(e)
        if e["household_id"]:
            by_household[e["household_id"]].append(e)
    labels = []
    for unit, groups in (("person", by_person), ("household", by_household)):
        rules = [set(pair) for pair in t.rules["exclusive"][unit]]
        seen: set[frozenset[str]] = set()
        for grants in groups.values():
            for a, b in combinations(grants, 2):
                key = frozenset((a["enrollment_id"], b["enrollment_id"]))
                if (
                    {a["programme"], b["programme"]} in rules
                    and _overlap(t.period(a), t.period(b))
                    and key not in seen
                ):
                    seen.add(key)
                    labels.append(
                        _label(
                            "DUP_EXCLUSIVE_PROGRAMMES",
                            f"{a['programme']} and {b['programme']} at once ({unit})",
                            enrollments=key,
                            households=t.households_of(a) | t.households_of(b),
                        )
                    )
    return labels


def duplicate_payments(t: Tables) -> list[dict[str, Any]]:
    """domain.md section 7: a grant is the grantee's programme, so a renewal's second enrollment for
    the same household or person and programme is the same grant; an event programme's
    enrollment is its own grant."""
    grants = {e["enrollment_id"]: e for e in t.enrollments}

    def grant(e: dict[str, Any]) -> tuple[str, ...]:
        if t.programmes[e["programme"]].get("unit") == "event":
            return ("enrollment", e["enrollment_id"])
        return ("grant", e["household_id"] or e["id_number"], e["programme"])

    by_period: dict[tuple[tuple[str, ...], str], list[tuple[str, str]]] = defaultdict(list)
    for enrollment, payments in t.payments.items():
        for p in payments:
            by_period[(grant(grants[enrollment]), p["period"])].append((enrollment, p["payment_id"]))
    return [
        _label(
            "DUP_PAYMENT",
            "one grant paid twice for a period",
            enrollments=sorted({e for e, _ in paid}),
            payments=[x for _, x in paid],
            households=set().union(*(t.households_of(grants[e]) for e, _ in paid)),
        )
        for paid in by_period.values()
        if len(paid) > 1
    ]


def event_aid(t: Tables) -> list[dict[str, Any]]:
    allowed = {frozenset(pair) for pair in t.rules["event_aid"]["allowed"]}
    days = t.rules["event_aid"]["same_event_days"]
    grants = {e["enrollment_id"]: e for e in t.enrollments}
    events: dict[tuple[str, str], list[tuple[date, str, str]]] = defaultdict(list)
    for enrollment, payments in t.payments.items():
        e = grants[enrollment]
        for p in payments:
            if p["event_cause"]:
                for person in t.covered(e):
                    events[(person, p["event_cause"])].append(
                        (date.fromisoformat(p["event_date"]), e["programme"], p["payment_id"])
                    )
    labels = []
    for (person, cause), paid in events.items():
        graph = nx.Graph()
        for (d1, prog1, p1), (d2, prog2, p2) in combinations(paid, 2):
            if abs((d1 - d2).days) <= days and (prog1 == prog2 or frozenset((prog1, prog2)) not in allowed):
                graph.add_edge(p1, p2)
        labels += [
            _label(
                "DUP_EVENT_AID", f"one event ({cause}) paid more than once", persons=[person], payments=group
            )
            for group in nx.connected_components(graph)
        ]
    return labels


def identity(same_person: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        _label("DUP_IDENTITY", "one person under two ID numbers (the generator's truth)", persons=pair)
        for pair in same_person
    ]


# --- linked fraud
def rings(t: Tables, same_person: list[tuple[str, str]]) -> list[dict[str, Any]]:
    rule = t.rules["shared_identifier"]
    recipients = {h for e in t.enrollments for h in t.households_of(e)}
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)  # (kind, identifier) -> households
    holding: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )  # -> household -> persons

    def hold(kind: str, key: str, person: str | None, households: set[str]) -> None:
        for h in households:
            holders[(kind, key)].add(h)
            if person:
                holding[(kind, key)][h].add(person)

    for r in t.rows.get("phones", []):
        hold("phone", r["phone"], r["id_number"], t.homes.get(r["id_number"], set()))
    for r in t.rows.get("bank_accounts", []):
        hold("account", r["account_number"], r["holder_id_number"], t.homes.get(r["holder_id_number"], set()))
    # The rule file: an account also links the households whose grants are paid into it (an
    # agent's account), by the grant's account or any of its payments'.
    for e in t.enrollments:
        paid_into = {e["account_number"]} | {p["account_number"] for p in t.payments[e["enrollment_id"]]}
        for account in paid_into - {""}:
            hold("account", account, None, t.households_of(e))
    for h, address in t.address_of.items():
        hold("address", address, None, {h})
    for r in t.rows.get("addresses", []):
        hold("address", r["address"], r["id_number"], t.homes.get(r["id_number"], set()))
    one_person = {frozenset(pair) for pair in same_person}
    links: dict[frozenset[str], set[tuple[str, str]]] = defaultdict(set)
    for identifier, households in holders.items():
        if (
            identifier[0] not in set(rule["strong"]) | set(rule["weak"])
            or len(households) > rule["max_households"]
        ):
            continue
        for a, b in combinations(sorted(households & recipients), 2):
            pa, pb = holding[identifier].get(a, set()), holding[identifier].get(b, set())
            if pa and pb and all(frozenset((x, y)) in one_person for x in pa for y in pb):
                continue  # one person registered twice: DUP_IDENTITY's, not a ring
            links[frozenset((a, b))].add(identifier)
    graph = nx.Graph()
    for pair, shared in links.items():
        a, b = sorted(pair)
        related = set(t.members[a]) & set(t.members[b]) or any(
            frozenset((x, y)) in t.kin for x in t.members[a] for y in t.members[b]
        )
        strong = any(kind in rule["strong"] for kind, _ in shared)
        if not related and (strong or len(shared) >= 2):
            graph.add_edge(a, b)
    rings = []
    for group in nx.connected_components(graph):
        shared = {i for a, b in combinations(sorted(group), 2) for i in links.get(frozenset((a, b)), ())}
        # The rule file: a ring of only two households needs this many shared identifiers.
        if len(group) == 2 and len(shared) < rule["pair_min_identifiers"]:
            continue
        rings.append(
            _label(
                "RING_SHARED_IDENTIFIER",
                "unrelated recipient households sharing identifiers",
                households=group,
            )
        )
    return rings


def third_party(t: Tables) -> list[dict[str, Any]]:
    holder = {r["account_number"]: r["holder_id_number"] for r in t.rows.get("bank_accounts", [])}
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in t.enrollments:
        accounts = {e["account_number"]} | {p["account_number"] for p in t.payments[e["enrollment_id"]]}
        for h in t.households_of(e):
            for account in accounts - {""}:
                owner = holder.get(account)
                if owner and owner not in t.members[h] and owner != e["id_number"]:
                    grouped[(h, account)].add(e["enrollment_id"])
    return [
        _label(
            "PAYMENT_TO_THIRD_PARTY",
            "paid into an account held by nobody in the household",
            households=[h],
            accounts=[account],
            enrollments=grants,
        )
        for (h, account), grants in grouped.items()
    ]


def deceased(t: Tables) -> list[dict[str, Any]]:
    labels = []
    for e in t.enrollments:
        for person in t.covered(e):
            if person in t.died:
                month = f"{t.died[person]:%Y-%m}"
                after = [p["payment_id"] for p in t.payments[e["enrollment_id"]] if p["period"] > month]
                if after:
                    labels.append(
                        _label(
                            "DECEASED_PAID",
                            "paid for periods after a covered person's death",
                            persons=[person],
                            enrollments=[e["enrollment_id"]],
                            payments=after,
                        )
                    )
    return labels


def fact_id(r: dict[str, Any]) -> str:
    return f"{r['source']}:{r['record_id']}"


def assets(t: Tables) -> list[dict[str, Any]]:
    a = t.rules["assets"]
    labels = []
    for e in t.enrollments:
        if not t.programmes[e["programme"]].get("means_tested") or not t.current(e):
            continue
        for h in t.households_of(e):
            members = t.members[h]
            held: defaultdict[str, list[Any]] = defaultdict(list)
            for p in members:
                for feed, rows in t.facts[p].items():
                    held[feed] += rows
            bad = [r for r in held["vehicles"] if r["vehicle_type"] in a["disqualifying_vehicles"]]
            bad += [r for r in held["properties"] if r["property_kind"] in a["disqualifying_property_kinds"]]
            homes = [r for r in held["properties"] if r["property_kind"] == "residential"]
            bad += homes if len(homes) > a["max_homes"] else []
            for r in held["businesses"]:
                stake = (
                    float(r["share_amount"] or 0)
                    if r["role"] == "shareholder"
                    else max(float(r["registered_capital"] or 0), float(r["share_amount"] or 0))
                )
                if stake > a["business_limit"]:
                    bad.append(r)
            if a["public_employee"]:
                bad += [r for r in held["employment"] if r["public_employee"] == "yes"]
            line = t.line(h)
            if sum(float(r["balance"]) for r in held["deposits"]) > len(members) * line * a["deposit_months"]:
                bad += held["deposits"]
            income = t.per_capita_income(h)
            if a["income_above_line"] and income is not None and income > line:
                bad += held["incomes"]
            if bad:
                labels.append(
                    _label(
                        "ASSET_INELIGIBLE",
                        "means-tested grant despite disqualifying assets or income",
                        households=[h],
                        enrollments=[e["enrollment_id"]],
                        facts=[fact_id(r) for r in bad],
                    )
                )
    return labels


def relationship(t: Tables) -> list[dict[str, Any]]:
    staff = {r["staff_id"]: r["id_number"] for r in t.rows.get("staff", [])}
    filed = {(r["staff_id"], r["relative_id_number"]) for r in t.rows.get("relative_filings", [])}
    labels = []
    for case in t.rows.get("cases", []):
        household = t.members[case["household_id"]]
        for staff_id in {case["handled_by"], case["reviewed_by"], case["approved_by"]} - {""}:
            person = staff[staff_id]
            relatives = [
                m
                for m in household
                if m != person
                and (person in household or frozenset((person, m)) in t.kin)
                and (staff_id, m) not in filed
            ]
            if relatives:
                labels.append(
                    _label(
                        "RELATIONSHIP_BENEFIT",
                        "a relative handled the case without filing it",
                        cases=[case["case_id"]],
                        persons=relatives,
                    )
                )
    return labels


# --- coverage gaps
def _basic_living(t: Tables) -> tuple[set[str], set[str]]:
    """Persons and households holding a current basic-living grant."""
    persons, households = set(), set()
    for e in t.enrollments:
        if t.programmes[e["programme"]].get("basic_living") and t.current(e):
            persons |= t.covered(e)
            households |= t.households_of(e)
    return persons, households


def vulnerable(t: Tables) -> list[dict[str, Any]]:
    v = t.rules["vulnerable"]
    persons, households = _basic_living(t)
    labels = []
    for person, facts in list(t.facts.items()):
        flagged = any(r["kind"] in v["kinds"] for r in facts["vulnerabilities"]) or any(
            int(r["grade"]) in v["severe_disability_grades"] for r in facts["disabilities"]
        )
        if not flagged or person in t.died or person in persons:
            continue
        for h in t.homes.get(person, ()):
            income = t.per_capita_income(h)
            if h not in households and income is not None and income < t.line(h):
                labels.append(
                    _label(
                        "GAP_VULNERABLE_UNCOVERED",
                        "flagged vulnerable, under the line, uncovered",
                        persons=[person],
                        households=[h],
                    )
                )
    return labels


def missing_special(t: Tables) -> list[dict[str, Any]]:
    s = t.rules["special"]
    _, households = _basic_living(t)
    holds: dict[str, set[str]] = defaultdict(set)
    for e in t.enrollments:
        for p in t.covered(e):
            holds[p].add(e["programme"])
    labels = []
    for h in sorted(households):  # a set: its order changes with the hash seed
        for p in t.members[h]:
            if p in t.died:
                continue
            if (
                s["school_age"][0] <= t.age(p) <= s["school_age"][1]
                and s["education_programme"] not in holds[p]
            ):
                labels.append(
                    _label(
                        "GAP_MISSING_SPECIAL",
                        "school-age child without education assistance",
                        persons=[p],
                        households=[h],
                    )
                )
            if (
                any(int(r["grade"]) in s["rehabilitation_grades"] for r in t.facts[p]["disabilities"])
                and s["rehabilitation_programme"] not in holds[p]
            ):
                labels.append(
                    _label(
                        "GAP_MISSING_SPECIAL",
                        "disabled member without rehabilitation assistance",
                        persons=[p],
                        households=[h],
                    )
                )
    return labels


def staffing(t: Tables) -> list[dict[str, Any]]:
    s = t.rules["staffing"]

    def active(r: dict[str, Any]) -> bool:
        return (not r["active_from"] or date.fromisoformat(r["active_from"]) <= t.as_of) and (
            not r["active_until"] or date.fromisoformat(r["active_until"]) >= t.as_of
        )

    staff = [r for r in t.rows.get("staff", []) if active(r)]
    labels = []
    populations = {r["township_code"]: int(r["township_population"]) for r in t.rows["regions"]}
    for township, population in populations.items():
        required = s["minimum_at_or_above"] if population >= s["population_threshold"] else s["minimum_below"]
        if sum(r["township_code"] == township and r["role"] in s["counted_roles"] for r in staff) < required:
            labels.append(_label("GAP_STAFFING", "township below the staffing rule", townships=[township]))
    for village in t.township_of_village:
        count = sum(
            r["village_code"] == village and r["role"] in s["village_coordinator_roles"] for r in staff
        )
        if count < s["village_minimum"]:
            labels.append(_label("GAP_STAFFING", "village station without a coordinator", villages=[village]))
    return labels


def overdue(t: Tables) -> list[dict[str, Any]]:
    o = t.rules["overdue"]
    since: dict[str, date] = {}
    for e in t.enrollments:
        if t.programmes[e["programme"]].get("basic_living") and t.current(e):
            for h in t.households_of(e):
                since[h] = min(since.get(h, date.max), t.period(e)[0])
    last: dict[str, date] = {}
    for v in t.rows.get("visits", []):
        when = date.fromisoformat(v["visit_date"])
        last[v["household_id"]] = max(last.get(v["household_id"], date.min), when)
    limit = t.as_of - timedelta(days=o["visit_days"])
    labels = [
        _label("GAP_OVERDUE", "enrolled household not visited in time", households=[h])
        for h, start in since.items()
        if last.get(h, start) < limit
    ]
    deadline = t.as_of - timedelta(days=o["application_days"])
    labels += [
        _label(
            "GAP_OVERDUE",
            "application pending past the limit",
            cases=[c["case_id"]],
            households=[c["household_id"]],
        )
        for c in t.rows.get("cases", [])
        if c["status"] in o["pending_statuses"]
        and date.fromisoformat(c["submitted_date"]) < deadline
        and not c.get("urgent_amount")  # a grant already paid: its review has its own limit (below)
    ]
    return labels


def urgent_unreviewed(t: Tables, review_days: int) -> list[dict[str, Any]]:
    """Green-channel grants (先行救助) not decided within the casework rule's days of being paid."""
    decided = {"approved", "rejected", "suspended", "terminated"}
    return [
        _label("GAP_URGENT_UNREVIEWED", "urgent grant not reviewed in time", cases=[c["case_id"]])
        for c in t.rows.get("cases", [])
        if c.get("urgent_amount")
        and c["status"] not in decided
        and date.fromisoformat(c["urgent_granted_date"]) + timedelta(days=review_days) < t.as_of
    ]


# --- funds (domain.md section 12): the payment file and the bank's return
def _month(period: str) -> tuple[date, date]:
    first = date.fromisoformat(period + "-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _fen(text: str) -> int:
    return round(float(text) * 100)


class _Lines:
    """Every payment-file line with what reconciling it needs, read from the tables."""

    def __init__(self, t: Tables) -> None:
        rows = t.rows
        self.returns = {r["line_id"]: r for r in rows.get("bank_returns", [])}
        self.holders: dict[str, set[str]] = defaultdict(set)
        for r in rows.get("bank_accounts", []):
            if str(r.get("joint_holder", "")).lower() in ("yes", "1", "是", "true"):
                self.holders[r["account_number"]].add(r["holder_id_number"])
            else:
                self.holders[r["account_number"]] = {r["holder_id_number"]}
        known = set(t.township_of) | {r["id_number"] for r in rows.get("persons", [])}
        cases = {c["case_id"]: c for c in rows.get("cases", [])}
        self.items: list[dict[str, Any]] = []
        for line in rows.get("payment_files", []):
            grantee = line["household_id"] or line["id_number"]
            home = line["household_id"] or min(t.homes.get(line["id_number"], {""}))
            household = home if home in t.township_of else None
            first, last = _month(line["period"])
            grants = []
            for e in t.enrollments:
                if (e["household_id"] or e["id_number"]) != grantee or e["programme"] != line["programme"]:
                    continue
                start, end = t.period(e)
                if start > last:
                    continue
                case = cases.get(e["case_id"]) if e["case_id"] else None
                stopped = bool(
                    case
                    and case["status"] in ("terminated", "suspended")
                    and case["decided_date"]
                    and date.fromisoformat(case["decided_date"]) < first
                )
                grants.append({**e, "covers": end >= first and not stopped})
            ret = self.returns.get(line["line_id"])
            insiders = set(t.members.get(household, [])) if household else set()
            if line["id_number"]:
                insiders.add(line["id_number"])
            self.items.append(
                {
                    "line": line,
                    "known": grantee in known,
                    "household": household,
                    "grants": grants,
                    "ret": ret,
                    "insiders": insiders,
                }
            )

    def failed(self, item: dict[str, Any]) -> bool:
        return bool(item["ret"]) and item["ret"]["status"] in ("refused", "returned")

    def reissues(self) -> dict[str, dict[str, Any]]:
        key = lambda i: (  # noqa: E731
            i["line"]["household_id"] or i["line"]["id_number"],
            i["line"]["programme"],
            i["line"]["period"],
        )
        failed: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for i in self.items:
            if self.failed(i):
                failed[key(i)].append(i)
        out = {}
        for i in self.items:
            earlier = [x for x in failed.get(key(i), []) if x["line"]["line_id"] != i["line"]["line_id"]]
            if earlier and not self.failed(i):
                out[i["line"]["line_id"]] = min(earlier, key=lambda x: x["line"]["line_id"])
        return out


def funds(t: Tables) -> list[dict[str, Any]]:
    f = t.rules["funds"]
    lines = _Lines(t)
    reissues = lines.reissues()
    labels = []
    after_end: dict[str, list[str]] = defaultdict(list)
    where: dict[str, dict[str, list[str]]] = {}  # per line: its township and (if registered) household
    for i in lines.items:
        line, lid = i["line"], i["line"]["line_id"]
        where[lid] = {
            "townships": [line["township_code"]],
            "households": [i["household"]] if i["household"] else [],
        }
        covering = [g for g in i["grants"] if g["covers"]]
        priced = [g for g in covering if g["monthly_amount"]]
        if priced and all(
            abs(_fen(line["amount"]) - _fen(g["monthly_amount"])) > round(f["amount_tolerance"] * 100)
            for g in priced
        ):
            labels.append(
                _label("FUND_AMOUNT_MISMATCH", "amount is not the approved one", lines=[lid], **where[lid])
            )
        if not i["grants"]:
            labels.append(
                _label("FUND_LINE_WITHOUT_GRANT", "no grant had started", lines=[lid], **where[lid])
            )
        elif not covering:
            after_end[max(g["enrollment_id"] for g in i["grants"])].append(lid)
        named = line["account_number"]
        credited = i["ret"]["account_number"] if i["ret"] and i["ret"]["status"] == "credited" else None
        grant_accounts = {g["account_number"] for g in covering if g["account_number"]}
        insider = bool(lines.holders.get(named, set()) & i["insiders"])
        if (credited and credited != named) or (
            grant_accounts and named not in grant_accounts and not insider and lid not in reissues
        ):
            labels.append(
                _label(
                    "FUND_ACCOUNT_MISMATCH",
                    "account not the file's or the grant's",
                    lines=[lid],
                    **where[lid],
                )
            )
        first = reissues.get(lid)
        if first is not None and named != first["line"]["account_number"] and not insider:
            labels.append(
                _label(
                    "FUND_REISSUED_ELSEWHERE",
                    "re-issued to an outsider",
                    lines=[first["line"]["line_id"], lid],
                    **where[lid],
                )
            )
    for enrollment, lids in sorted(after_end.items()):
        labels.append(
            _label(
                "FUND_PAID_AFTER_END",
                "listed after the grant ended",
                enrollments=[enrollment],
                lines=lids,
                **where[lids[0]],
            )
        )
    paid: dict[str, int] = defaultdict(int)
    for i in lines.items:
        if not lines.failed(i):
            line = i["line"]
            paid[f"{line['township_code']}-{line['programme']}-{line['period']}"] += _fen(line["amount"])
    for a in t.rows.get("allocations", []):
        key = f"{a['township_code']}-{a['programme']}-{a['period']}"
        if paid.get(key, 0) - _fen(a["amount"]) > round(f["allocation_tolerance"] * 100):
            labels.append(
                _label(
                    "FUND_OVER_ALLOCATION",
                    "over the allocation",
                    allocations=[key],
                    townships=[a["township_code"]],
                )
            )
    # The agent pattern: households related by kin or a shared member (ever) are one group.
    ever: dict[str, set[str]] = defaultdict(set)
    for r in t.rows.get("persons", []):
        ever[r["id_number"]].add(r["household_id"])
    related = nx.Graph()
    for pair in t.kin:
        a, b = tuple(pair) if len(pair) == 2 else (next(iter(pair)),) * 2
        related.add_edges_from((x, y) for x in ever.get(a, ()) for y in ever.get(b, ()) if x != y)
    for homes in ever.values():
        related.add_edges_from(combinations(sorted(homes), 2))
    credited_in: dict[tuple[str, str], set[str]] = defaultdict(set)
    for i in lines.items:
        if i["household"] is None:
            continue
        ret = i["ret"]
        account = (
            (ret["account_number"] if ret["status"] == "credited" else None)
            if ret
            else i["line"]["account_number"]
        )
        if account:
            credited_in[(account, i["line"]["period"])].add(i["household"])
    agents: dict[str, set[str]] = defaultdict(set)
    for (account, _period), households in credited_in.items():
        group = nx.Graph()
        group.add_nodes_from(households)
        group.add_edges_from(related.subgraph(households).edges)
        if (
            len(households) >= f["agent_min_households"]
            and nx.number_connected_components(group) >= f["agent_min_households"]
        ):
            agents[account] |= households
    for account, households in sorted(agents.items()):
        labels.append(
            _label(
                "FUND_AGENT_ACCOUNT",
                "one account, unrelated households",
                accounts=[account],
                households=sorted(households),
            )
        )
    return labels


def oracle_labels(
    rows: dict[str, list[dict[str, Any]]],
    as_of: date,
    same_person: list[tuple[str, str]],
    *,
    rules_file: Path = RULES_DIR / "detection.toml",
    reference_file: Path = RULES_DIR / "reference.toml",
    casework_file: Path = RULES_DIR / "casework.toml",
) -> list[dict[str, Any]]:
    """Every finding the county's tables call for, by kind, under the rule file's thresholds."""
    rules = tomllib.loads(rules_file.read_text(encoding="utf-8"))
    review_days = tomllib.loads(casework_file.read_text(encoding="utf-8"))["green_channel"][
        "review_within_days"
    ]
    programmes = tomllib.loads(reference_file.read_text(encoding="utf-8"))["programmes"]
    t = Tables(rows, as_of, rules, programmes)
    return (
        multi_household(t)
        + exclusive(t)
        + duplicate_payments(t)
        + event_aid(t)
        + identity(same_person)
        + rings(t, same_person)
        + third_party(t)
        + deceased(t)
        + assets(t)
        + relationship(t)
        + vulnerable(t)
        + missing_special(t)
        + staffing(t)
        + overdue(t)
        + urgent_unreviewed(t, review_days)
        + funds(t)
    )
