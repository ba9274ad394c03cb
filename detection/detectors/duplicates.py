"""Duplicate claims: one person in two households' grants, exclusive programmes together,
one month paid twice, one event paid by programmes that may not be combined."""

from __future__ import annotations

from detection.context import DetectionContext
from detection.detectors.anchors import BENEFICIARIES, GRANTS
from detection.situation import Evidence, Situation, yuan
from detection.words import programme
from domain.finding_kinds import FindingKind

# Two enrollments overlap when each starts before the other ends (open end: still running).
MULTI_HOUSEHOLD = (
    BENEFICIARIES
    + """
WITH DISTINCT p
MATCH (p)<-[:COVERS]-(e:Enrollment)-[:GRANTED_TO]->(h:Household)
WITH p, collect({e: e, h: h}) AS grants WHERE size(grants) > 1
UNWIND grants AS a
UNWIND grants AS b
WITH p, a, b
WHERE a.h.household_id < b.h.household_id
  AND a.e.start_date <= coalesce(b.e.end_date, date('9999-12-31'))
  AND b.e.start_date <= coalesce(a.e.end_date, date('9999-12-31'))
  AND ($households IS NULL OR a.h.household_id IN $households OR b.h.household_id IN $households)
RETURN p.id_number AS person, p.name AS name,
       a.h.household_id AS h1, a.h.township_code AS t1, a.h.village_code AS v1, a.e.enrollment_id AS e1,
       a.e.programme_code AS prog1,
       b.h.household_id AS h2, b.h.township_code AS t2, b.e.enrollment_id AS e2, b.e.programme_code AS prog2
"""
)


def person_in_two_households(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(MULTI_HOUSEHOLD):
        other_township = r["t1"] != r["t2"]
        found.append(
            Situation(
                FindingKind.DUP_PERSON_MULTI_HOUSEHOLD,
                f"{r['person']}|{r['h1']}|{r['h2']}",
                0.99 if other_township else 0.95,
                f"{r['name']}同时被两户的家庭救助覆盖：{r['h1']}（{programme(r['prog1'])}）与{r['h2']}"
                f"（{programme(r['prog2'])}），期间重叠"
                + ("，两户在不同乡镇" if other_township else "")
                + "。",
                f"{r['name']} is covered by the household grants of two households, "
                f"{r['h1']} ({programme(r['prog1'], 'en')}) and {r['h2']}"
                f" ({programme(r['prog2'], 'en')}), in overlapping periods"
                + (", in two townships." if other_township else "."),
                [
                    Evidence("Person", r["person"], "beneficiary"),
                    Evidence("Household", r["h1"], "household"),
                    Evidence("Household", r["h2"], "household"),
                    Evidence("Enrollment", r["e1"], "grant"),
                    Evidence("Enrollment", r["e2"], "grant"),
                ],
                township_code=r["t1"],
                village_code=r["v1"],
            )
        )
    return found


# A person holding both programmes of an exclusive pair (covered by, or granted, each).
EXCLUSIVE_PERSON = (
    BENEFICIARIES
    + """
WITH DISTINCT p
UNWIND $exclusive_person AS pair
MATCH (a:Enrollment {programme_code: pair[0]})-[:COVERS|GRANTED_TO]->(p)
MATCH (b:Enrollment {programme_code: pair[1]})-[:COVERS|GRANTED_TO]->(p)
WHERE a.start_date <= coalesce(b.end_date, date('9999-12-31'))
  AND b.start_date <= coalesce(a.end_date, date('9999-12-31'))
OPTIONAL MATCH (p)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
WITH pair, p, a, b, head(collect(h)) AS h
WHERE $households IS NULL OR h.household_id IN $households
RETURN DISTINCT pair, p.id_number AS person, p.name AS name, a.enrollment_id AS e1, b.enrollment_id AS e2,
       h.household_id AS household, h.township_code AS township, h.village_code AS village
"""
)

EXCLUSIVE_HOUSEHOLD = (
    GRANTS
    + """
WITH DISTINCT e
MATCH (e)-[:GRANTED_TO]->(h:Household)
WITH DISTINCT h
UNWIND $exclusive_household AS pair
MATCH (a:Enrollment {programme_code: pair[0]})-[:GRANTED_TO]->(h)
MATCH (b:Enrollment {programme_code: pair[1]})-[:GRANTED_TO]->(h)
WHERE a.start_date <= coalesce(b.end_date, date('9999-12-31'))
  AND b.start_date <= coalesce(a.end_date, date('9999-12-31'))
  AND ($households IS NULL OR h.household_id IN $households)
RETURN pair, h.household_id AS household, h.township_code AS township, h.village_code AS village,
       a.enrollment_id AS e1, b.enrollment_id AS e2
"""
)


def exclusive_programmes(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(EXCLUSIVE_PERSON):
        a, b = r["pair"]
        evidence = [
            Evidence("Person", r["person"], "beneficiary"),
            Evidence("Enrollment", r["e1"], "grant"),
            Evidence("Enrollment", r["e2"], "grant"),
        ]
        if r["household"]:
            evidence.append(Evidence("Household", r["household"], "household"))
        found.append(
            Situation(
                FindingKind.DUP_EXCLUSIVE_PROGRAMMES,
                f"person|{r['person']}|{r['e1']}|{r['e2']}",
                0.98,
                f"{r['name']}同期享受{programme(a)}与{programme(b)}，两者不得同时享受。",
                f"{r['name']} holds {programme(a, 'en')} and {programme(b, 'en')}"
                f" in overlapping periods; the two are mutually exclusive.",
                evidence,
                township_code=r["township"],
                village_code=r["village"],
            )
        )
    for r in ctx.read(EXCLUSIVE_HOUSEHOLD):
        a, b = r["pair"]
        found.append(
            Situation(
                FindingKind.DUP_EXCLUSIVE_PROGRAMMES,
                f"household|{r['household']}|{r['e1']}|{r['e2']}",
                0.98,
                f"户{r['household']}同期享受{programme(a)}与{programme(b)}，两者不得同时享受。",
                f"Household {r['household']} holds {programme(a, 'en')} and {programme(b, 'en')}"
                f" in overlapping periods; "
                "they are mutually exclusive.",
                [
                    Evidence("Household", r["household"], "household"),
                    Evidence("Enrollment", r["e1"], "grant"),
                    Evidence("Enrollment", r["e2"], "grant"),
                ],
                township_code=r["township"],
                village_code=r["village"],
            )
        )
    return found


# A grant is a grantee's programme, whatever enrollments record it: a renewal that made a second
# enrollment (same household, same case or a new one) is the same grant, so a month paid under
# both is paid twice. Per-event programmes pay events, not months: there the enrollment is the grant.
DUPLICATE_PAYMENTS = (
    GRANTS
    + """
WITH DISTINCT e
MATCH (e)-[:GRANTED_TO]->(g)
MATCH (e)-[:FOR_PROGRAMME]->(prog:Programme)
WITH DISTINCT g, prog, CASE WHEN prog.unit = 'event' THEN e END AS only
MATCH (g)<-[:GRANTED_TO]-(x:Enrollment)-[:FOR_PROGRAMME]->(prog) WHERE only IS NULL OR x = only
MATCH (pay:Payment)-[:FOR_ENROLLMENT]->(x)
WITH g, prog, only, pay.period AS period, collect({pay: pay, e: x.enrollment_id}) AS paid WHERE size(paid) > 1
WITH g, prog, period, paid, CASE WHEN g:Household THEN g ELSE COLLECT {
  MATCH (g)-[m:MEMBER_OF]->(gh:Household) RETURN gh ORDER BY m.until IS NULL DESC, m.since DESC LIMIT 1 }[0]
END AS h
WHERE $households IS NULL OR h.household_id IN $households
RETURN prog.code AS programme, period, [x IN paid | x.e] AS enrollments,
       [x IN paid | x.pay.payment_id] AS payments, [x IN paid | x.pay.amount_fen] AS amounts,
       h.household_id AS household, h.township_code AS township, h.village_code AS village
"""
)


def duplicate_payments(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(DUPLICATE_PAYMENTS):
        extra = sum(sorted(r["amounts"])[:-1])  # all but one payment were too many
        n = len(r["payments"])
        grants = sorted(set(r["enrollments"]))
        evidence = [Evidence("Enrollment", e, "grant") for e in grants] + [
            Evidence("Payment", p, "payment") for p in sorted(r["payments"])
        ]
        if r["household"]:
            evidence.append(Evidence("Household", r["household"], "household"))
        names = "、".join(grants)
        renewal_zh = "（同一救助的续期登记）" if len(grants) > 1 else ""
        renewal_en = " (enrollments of one grant, renewed)" if len(grants) > 1 else ""
        found.append(
            Situation(
                # One enrollment keeps the key it always had, so a stored finding stays the same.
                FindingKind.DUP_PAYMENT,
                f"{'|'.join(grants)}|{r['period']}",
                0.99,
                f"{programme(r['programme'])}救助{names}{renewal_zh}在{r['period']}发放了{n}次，多发{yuan(extra)}元。",
                f"{programme(r['programme'], 'en')} grant {', '.join(grants)}{renewal_en} was paid {n} times "
                f"for {r['period']}; {yuan(extra)} yuan too much.",
                evidence,
                township_code=r["township"],
                village_code=r["village"],
                amount_fen=extra,
            )
        )
    return found


# Payments of per-event grants to one person for one cause within the event window, in
# combinations the rules do not allow (the same programme twice never is).
EVENT_AID = (
    BENEFICIARIES
    + """
WITH DISTINCT p
MATCH (p)<-[:GRANTED_TO]-(e:Enrollment)<-[:FOR_ENROLLMENT]-(pay:Payment)
WHERE pay.event_cause IS NOT NULL
WITH p, pay.event_cause AS cause, collect({pay: pay, e: e}) AS paid WHERE size(paid) > 1
UNWIND paid AS a
UNWIND paid AS b
WITH p, cause, a, b
WHERE a.pay.payment_id < b.pay.payment_id AND a.e <> b.e
  AND abs(duration.inDays(coalesce(a.pay.event_date, a.pay.paid_date),
                          coalesce(b.pay.event_date, b.pay.paid_date)).days) <= $same_event_days
  AND (a.e.programme_code = b.e.programme_code
       OR NOT (CASE WHEN a.e.programme_code < b.e.programme_code THEN [a.e.programme_code, b.e.programme_code]
                    ELSE [b.e.programme_code, a.e.programme_code] END) IN $allowed_event_pairs)
OPTIONAL MATCH (p)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
WITH p, cause, a, b, head(collect(h)) AS h
WHERE $households IS NULL OR h.household_id IN $households
RETURN p.id_number AS person, p.name AS name, cause, h.household_id AS household, h.township_code AS township,
       h.village_code AS village,
       a.pay.payment_id AS pay1, a.pay.amount_fen AS amount1, a.e.enrollment_id AS e1,
       a.e.programme_code AS prog1,
       b.pay.payment_id AS pay2, b.pay.amount_fen AS amount2, b.e.enrollment_id AS e2,
       b.e.programme_code AS prog2,
       coalesce(a.pay.event_date, a.pay.paid_date) AS event_date
"""
)


def event_aid(ctx: DetectionContext) -> list[Situation]:
    """One finding per person and event: the payments that may not be combined."""
    events: dict[tuple[str, str], list[dict]] = {}
    for r in ctx.read(EVENT_AID):
        events.setdefault((r["person"], r["cause"]), []).append(r)
    found = []
    for (person, cause), pairs in events.items():
        first = pairs[0]
        payments = {(r["pay1"], r["e1"], r["prog1"], r["amount1"]) for r in pairs} | {
            (r["pay2"], r["e2"], r["prog2"], r["amount2"]) for r in pairs
        }
        ordered = sorted(payments)
        codes = sorted({p[2] for p in ordered})
        programmes = "、".join(programme(c) for c in codes)
        programmes_en = ", ".join(programme(c, "en") for c in codes)
        extra = sum(p[3] or 0 for p in ordered) - max(p[3] or 0 for p in ordered)
        evidence = [Evidence("Person", person, "beneficiary")]
        evidence += [Evidence("Payment", p[0], "payment") for p in ordered]
        evidence += [Evidence("Enrollment", e, "grant") for e in sorted({p[1] for p in ordered})]
        if first["household"]:
            evidence.append(Evidence("Household", first["household"], "household"))
        found.append(
            Situation(
                FindingKind.DUP_EVENT_AID,
                f"{person}|{cause}|{ordered[0][0]}",
                0.95,
                f"{first['name']}的同一事件（{cause}，{first['event_date']}前后）由{programmes}重复救助，"
                f"该组合不在允许之列。",
                f"One event of {first['name']} ({cause}, around {first['event_date']}) was paid by "
                f"{programmes_en}, a combination the rules do not allow.",
                evidence,
                township_code=first["township"],
                village_code=first["village"],
                amount_fen=extra,
            )
        )
    return found
