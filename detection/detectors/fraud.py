"""Linked fraud: money into a third party's account, payments after death, means-tested aid
despite assets, and aid handled by a relative of the beneficiary."""

from __future__ import annotations

from typing import Any

from detection.context import DetectionContext
from detection.detectors.anchors import BENEFICIARIES, CASES, GRANTS
from detection.detectors.households import line_fen, per_capita_monthly_fen
from detection.situation import Evidence, Situation, yuan
from detection.words import department, programme, term
from domain.finding_kinds import FindingKind
from domain.money import FEN_PER_YUAN
from graph.kinship import CASE_BENEFICIARIES, RELATION_FILED, STAFF_RELATED

# Each payment into an account held by nobody who was in the grant's household during the
# paid month; a grant's own account (PAYS_INTO) is judged on the detection date, or its end.
# Insiders are the grantee and the members, over time, of the grantee household or of the
# households the grantee person belonged to then; for a month before the grantee's first
# membership (a newborn entered weeks after the birth), of the household they joined first.
# A member whose membership ended with their death stays one: payments after a death are
# DECEASED_PAID's, the account is the household's.
THIRD_PARTY = (
    GRANTS
    + """
WITH DISTINCT e
MATCH (e)-[:GRANTED_TO]->(g)
WITH e, g, CASE WHEN g:Household THEN g ELSE COLLECT {
  MATCH (g)-[gm:MEMBER_OF]->(gh:Household)
  RETURN gh ORDER BY gm.until IS NULL DESC, gm.since DESC LIMIT 1 }[0]
END AS h
WHERE h IS NOT NULL AND ($households IS NULL OR h.household_id IN $households)
CALL (e) {
  MATCH (e)<-[:FOR_ENROLLMENT]-(pay:Payment)-[:PAID_TO]->(acc:BankAccount)
  WITH acc, pay, date(pay.period + '-01') AS first
  RETURN acc, pay, first, first + duration({months: 1}) - duration({days: 1}) AS last
  UNION
  MATCH (e)-[:PAYS_INTO]->(acc:BankAccount)
  WITH acc, CASE WHEN e.end_date < $as_of THEN e.end_date ELSE $as_of END AS day
  RETURN acc, null AS pay, day AS first, day AS last
}
MATCH (holder:Person)-[:HOLDS_ACCOUNT]->(acc)
WITH e, g, h, acc, pay, first, last, collect(holder) AS holders
WHERE NONE(x IN holders WHERE x = g OR EXISTS {
  MATCH (x)-[m:MEMBER_OF]->(hh:Household)
  WHERE m.since <= last
    AND (m.until IS NULL OR m.until >= first
         OR EXISTS { MATCH (x)-[:HAS_FACT]->(d:Death) WHERE d.death_date <= m.until })
    AND (hh = g OR EXISTS { MATCH (g)-[w:MEMBER_OF]->(hh) WHERE w.since <= last
                                                           AND (w.until IS NULL OR w.until >= first) }
         OR (g:Person AND NOT EXISTS { MATCH (g)-[w:MEMBER_OF]->() WHERE w.since <= last }
             AND coalesce(hh = COLLECT { MATCH (g)-[f:MEMBER_OF]->(fh:Household)
                                         RETURN fh ORDER BY f.since LIMIT 1 }[0], false))) })
RETURN e.enrollment_id AS enrollment, e.programme_code AS programme, h.household_id AS household,
       h.township_code AS township, h.village_code AS village, acc.number AS account,
       [x IN holders | x {.id_number, .name, .staff_id, .staff_role}] AS holders,
       pay {.payment_id, .amount_fen} AS payment
"""
)


def third_party_payments(ctx: DetectionContext) -> list[Situation]:
    """One finding per household and account: every grant of the household paid into it."""
    grouped: dict[tuple[str, str], dict[str, dict]] = {}
    paid_in: dict[tuple[str, str], dict[str, dict]] = {}
    for r in ctx.read(THIRD_PARTY):
        grouped.setdefault((r["household"], r["account"]), {}).setdefault(r["enrollment"], r)
        if r["payment"]:
            paid_in.setdefault((r["household"], r["account"]), {})[r["payment"]["payment_id"]] = r["payment"]
    found = []
    for (household, account), by_grant in sorted(grouped.items()):
        rows = [by_grant[e] for e in sorted(by_grant)]
        r = rows[0]
        staff = [x for x in r["holders"] if x.get("staff_id")]
        names = "、".join(x["name"] for x in r["holders"])
        payments = [p for _, p in sorted(paid_in.get((household, account), {}).items())]
        paid = sum(p["amount_fen"] or 0 for p in payments)
        grants = "、".join(f"{programme(x['programme'])}（{x['enrollment']}）" for x in rows)
        evidence = [
            Evidence("Household", household, "household"),
            Evidence("BankAccount", account, "account"),
        ]
        evidence += [Evidence("Enrollment", x["enrollment"], "grant") for x in rows]
        evidence += [
            Evidence("Person", x["id_number"], "staff_holder" if x.get("staff_id") else "account_holder")
            for x in r["holders"]
        ]
        evidence += [Evidence("Payment", p["payment_id"], "payment") for p in payments]
        who_zh = f"工作人员{names}" if staff else names
        who_en = f"staff member {names}" if staff else names
        found.append(
            Situation(
                FindingKind.PAYMENT_TO_THIRD_PARTY,
                f"{household}|{account}",
                0.99 if staff else 0.9,
                f"户{household}的救助{grants}打入账户尾号{account[-4:]}，该账户属于{who_zh}，不是本户成员；"
                f"已打入{yuan(paid)}元。",
                f"Household {household}'s grants "
                + ", ".join(f"{programme(x['programme'], 'en')} ({x['enrollment']})" for x in rows)
                + f" are paid into account …{account[-4:]}, held by {who_en}, who is not in the household; "
                f"{yuan(paid)} yuan paid in so far.",
                evidence,
                township_code=r["township"],
                village_code=r["village"],
                amount_fen=paid,
                details={"staff": [x["staff_id"] for x in staff]},
            )
        )
    return found


DECEASED = (
    BENEFICIARIES
    + """
WITH DISTINCT p
MATCH (d:Death)<-[:HAS_FACT]-(p)<-[:COVERS|GRANTED_TO]-(e:Enrollment)<-[:FOR_ENROLLMENT]-(pay:Payment)
WHERE pay.period > substring(toString(d.death_date), 0, 7)
WITH d, p, e, collect(DISTINCT pay) AS payments
MATCH (e)-[:GRANTED_TO]->(g)
// A person grant's household: the one the person died in (registers close it at the death).
WITH d, p, e, payments, CASE WHEN g:Household THEN g ELSE COLLECT {
  MATCH (p)-[pm:MEMBER_OF]->(ph:Household) WHERE pm.since <= d.death_date
  RETURN ph ORDER BY pm.until IS NULL OR pm.until >= d.death_date DESC, pm.since DESC LIMIT 1 }[0]
END AS h
WHERE $households IS NULL OR h.household_id IN $households
RETURN DISTINCT p.id_number AS person, p.name AS name, d.death_date AS died, d.fact_id AS death,
       d.source AS source,
       e.enrollment_id AS enrollment, e.programme_code AS programme,
       size([(e)-[:COVERS]->(c) | c]) AS covered,
       [x IN payments | x {.payment_id, .amount_fen, .period}] AS payments,
       h.household_id AS household, h.township_code AS township, h.village_code AS village
"""
)


def deceased_paid(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(DECEASED):
        paid = sum(p["amount_fen"] or 0 for p in r["payments"])
        share = paid // max(r["covered"], 1)  # a household grant: the dead member's share
        periods = sorted(p["period"] for p in r["payments"])
        evidence = [
            Evidence("Person", r["person"], "deceased"),
            Evidence("Death", r["death"], "fact"),
            Evidence("Enrollment", r["enrollment"], "grant"),
        ]
        evidence += [Evidence("Payment", p["payment_id"], "payment") for p in r["payments"]]
        if r["household"]:
            evidence.append(Evidence("Household", r["household"], "household"))
        found.append(
            Situation(
                FindingKind.DECEASED_PAID,
                f"{r['person']}|{r['enrollment']}",
                0.97 if r["covered"] <= 1 else 0.85,
                f"{r['name']}于{r['died']}死亡（{department(r['source'])}报告），{programme(r['programme'])}"
                f"救助{r['enrollment']}仍发放了"
                f"{periods[0]}至{periods[-1]}共{len(periods)}期，涉及约{yuan(share)}元。",
                f"{r['name']} died on {r['died']} (reported by {department(r['source'], 'en')}"
                f"), yet {programme(r['programme'], 'en')} grant "
                f"{r['enrollment']} paid {len(periods)} months from {periods[0]} to {periods[-1]}, "
                f"about {yuan(share)} yuan.",
                evidence,
                township_code=r["township"],
                village_code=r["village"],
                amount_fen=share,
            )
        )
    return found


# Current means-tested grants with every current member's verification facts.
MEANS_TESTED = (
    GRANTS
    + """
WITH DISTINCT e
MATCH (e)-[:FOR_PROGRAMME]->(prog:Programme {means_tested: true})
WHERE e.end_date IS NULL OR e.end_date >= $as_of
MATCH (e)-[:GRANTED_TO]->(g)
OPTIONAL MATCH (g)-[m:MEMBER_OF]->(gh:Household) WHERE m.until IS NULL
WITH e, coalesce(CASE WHEN g:Household THEN g END, gh) AS h
WHERE h IS NOT NULL AND ($households IS NULL OR h.household_id IN $households)
MATCH (h)<-[m:MEMBER_OF]-(x:Person) WHERE m.until IS NULL
WITH e, h, collect(x) AS members
RETURN e.enrollment_id AS enrollment, e.programme_code AS programme, h.household_id AS household,
       h.township_code AS township, h.village_code AS village, size(members) AS size,
       [x IN members | x {.id_number, .name}] AS members,
       COLLECT { UNWIND members AS x MATCH (x)-[:HAS_FACT]->(f)
                 WHERE f:Vehicle OR f:Property OR f:Business OR f:Employment OR f:Deposit OR f:Income
                 RETURN f {.*, label: labels(f)[0], id_number: x.id_number} } AS facts
"""
)


def _disqualifying(ctx: DetectionContext, r: dict[str, Any]) -> tuple[list[dict], list[str], list[str]]:
    """The facts that disqualify this household, with reasons in Chinese and English."""
    a = ctx.rules.assets
    facts, zh, en = [], [], []
    by_label: dict[str, list[dict]] = {}
    for f in r["facts"]:
        by_label.setdefault(f["label"], []).append(f)
    names = {m["id_number"]: m["name"] for m in r["members"]}
    for f in by_label.get("Vehicle", []):
        if f.get("vehicle_type") in a.disqualifying_vehicles:
            facts.append(f)
            zh.append(
                f"{names[f['id_number']]}名下有{term('value', f['vehicle_type'])}{f.get('plate', '')}"
                f"（{department(f['source'])}）"
            )
            en.append(
                f"{names[f['id_number']]} owns a {term('value', f['vehicle_type'], 'en')}"
                f" {f.get('plate', '')} ({department(f['source'], 'en')})"
            )
    homes = [f for f in by_label.get("Property", []) if f.get("property_kind") == "residential"]
    for f in by_label.get("Property", []):
        if f.get("property_kind") in a.disqualifying_property_kinds:
            facts.append(f)
            zh.append(
                f"{names[f['id_number']]}名下有{term('value', f['property_kind'])}房产"
                f"（{department(f['source'])}）"
            )
            en.append(
                f"{names[f['id_number']]} owns {term('value', f['property_kind'], 'en')}"
                f" property ({department(f['source'], 'en')})"
            )
    if len(homes) > a.max_homes:
        facts += homes
        zh.append(f"家庭拥有{len(homes)}套住房")
        en.append(f"the household owns {len(homes)} homes")
    limit = FEN_PER_YUAN * a.business_limit
    for f in by_label.get("Business", []):
        # A stake is what the person holds: their share in any role, and the whole registered
        # capital only in a role that owns it (rules: capital_roles); a legal representative's
        # role is no stake.
        capital = f.get("registered_capital_fen") if f.get("role") in a.capital_roles else None
        stake = max(capital or 0, f.get("share_amount_fen") or 0)
        if stake and stake > limit:
            facts.append(f)
            zh.append(f"{names[f['id_number']]}登记企业或持股{yuan(stake)}元（{department(f['source'])}）")
            en.append(
                f"{names[f['id_number']]} has a business stake of {yuan(stake)}"
                f" yuan ({department(f['source'], 'en')})"
            )
    if a.public_employee:
        for f in by_label.get("Employment", []):
            if f.get("public_employee"):
                facts.append(f)
                zh.append(f"{names[f['id_number']]}为财政供养人员（{f.get('employer', '')}）")
                en.append(f"{names[f['id_number']]} is in public employment ({f.get('employer', '')})")
    line = line_fen(ctx.rules, r["township"])
    deposits = by_label.get("Deposit", [])
    total = sum(f.get("balance_fen") or 0 for f in deposits)
    if total > r["size"] * line * a.deposit_months:
        facts += deposits
        zh.append(f"存款合计{yuan(total)}元，超过{r['size']}人×{a.deposit_months}个月标准")
        en.append(
            f"deposits of {yuan(total)} yuan exceed {r['size']} members x {a.deposit_months} months "
            "of the line"
        )
    income = per_capita_monthly_fen(by_label.get("Income", []), r["size"])
    if a.income_above_line and income is not None and income > line:
        facts += by_label["Income"]
        zh.append(f"核定人均月收入{yuan(income)}元，高于标准{yuan(line)}元")
        en.append(
            f"verified income of {yuan(income)} yuan per person and month is above the line of {yuan(line)}"
        )
    return facts, zh, en


def asset_ineligible(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(MEANS_TESTED):
        facts, zh, en = _disqualifying(ctx, r)
        if not facts:
            continue
        owners = sorted({f["id_number"] for f in facts})
        evidence = [
            Evidence("Enrollment", r["enrollment"], "grant"),
            Evidence("Household", r["household"], "household"),
        ]
        evidence += [Evidence("Person", p, "owner") for p in owners]
        evidence += [Evidence(f["label"], f["fact_id"], "fact") for f in facts]
        found.append(
            Situation(
                FindingKind.ASSET_INELIGIBLE,
                r["enrollment"],
                0.95,
                f"户{r['household']}享受{programme(r['programme'])}（须经济状况核对），但"
                + "；".join(zh)
                + "。",
                f"Household {r['household']} receives means-tested {programme(r['programme'], 'en')}, but "
                + "; ".join(en)
                + ".",
                evidence,
                township_code=r["township"],
                village_code=r["village"],
            )
        )
    return found


# Kin or household members among the beneficiaries, the relation unfiled (graph/kinship.py:
# the same definition the case workflow refuses a decision by).
RELATIONSHIP = (
    CASES
    + """
WITH DISTINCT c
MATCH (s:Staff)-[r:HANDLED|REVIEWED|APPROVED]->"""
    + CASE_BENEFICIARIES
    + """
WHERE ($households IS NULL OR h.household_id IN $households) AND """
    + STAFF_RELATED
    + " AND NOT "
    + RELATION_FILED
    + """
OPTIONAL MATCH (s)-[k:KIN_OF]-(b)
RETURN c.case_id AS case, c.programme_code AS programme, c.status AS status, s.staff_id AS staff_id,
       s.id_number AS staff_person, s.name AS staff_name, s.staff_role AS staff_role,
       collect(DISTINCT type(r)) AS steps, b.id_number AS person, b.name AS name,
       coalesce(k.relation, 'same_household') AS relation,
       h.household_id AS household, h.township_code AS township, h.village_code AS village,
       [(e:Enrollment)-[:FROM_CASE]->(c) | e.enrollment_id] AS enrollments
"""
)

STEPS_ZH = {"HANDLED": "经办", "REVIEWED": "审核", "APPROVED": "审批"}


def relationship_benefit(ctx: DetectionContext) -> list[Situation]:
    by_case: dict[tuple[str, str], list[dict]] = {}
    for r in ctx.read(RELATIONSHIP):
        by_case.setdefault((r["case"], r["staff_id"]), []).append(r)
    found = []
    for (case, staff_id), rows in by_case.items():
        r = rows[0]
        steps = sorted({s for x in rows for s in x["steps"]})
        kin = "、".join(f"{x['name']}（{term('relation', x['relation'])}）" for x in rows)
        evidence = [
            Evidence("Case", case, "case"),
            Evidence("Person", r["staff_person"], "staff"),
            Evidence("Household", r["household"], "household"),
        ]
        evidence += [Evidence("Person", x["person"], "relative") for x in rows]
        evidence += [Evidence("Enrollment", e, "grant") for e in r["enrollments"]]
        found.append(
            Situation(
                FindingKind.RELATIONSHIP_BENEFIT,
                f"{case}|{staff_id}",
                0.95,
                f"工作人员{r['staff_name']}（{staff_id}）{'、'.join(STEPS_ZH[s] for s in steps)}"
                f"了{programme(r['programme'])}申请{case}，"
                f"受益人中有其亲属{kin}，且未备案。",
                f"Staff member {r['staff_name']} ({staff_id}) {', '.join(s.lower() for s in steps)} "
                f"{programme(r['programme'], 'en')} case "
                f"{case}, whose beneficiaries include their relative(s) "
                + ", ".join(f"{x['name']} ({term('relation', x['relation'], 'en')})" for x in rows)
                + "; the relation was not filed.",
                evidence,
                township_code=r["township"],
                village_code=r["village"],
                details={"staff": [staff_id]},
            )
        )
    return found
