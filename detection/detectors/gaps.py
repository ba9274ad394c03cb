"""Coverage gaps: vulnerable people nobody covers, missing special assistance, stations
without staff, and visits or applications overdue."""

from __future__ import annotations

from detection import words
from detection.context import DetectionContext
from detection.detectors.anchors import CASES, FLAGGED, GRANTS
from detection.detectors.households import line_fen, per_capita_monthly_fen
from detection.situation import Evidence, Situation, yuan
from domain.finding_kinds import FindingKind
from resolvers.green_channel import REVIEWED

# Flagged vulnerable, alive, and neither they nor their household hold a current basic-living grant.
VULNERABLE = (
    FLAGGED
    + """
WITH DISTINCT p
CALL (p) {
  MATCH (p)-[:HAS_FACT]->(f:Vulnerability) WHERE f.kind IN $vulnerable_kinds RETURN f
  UNION
  MATCH (p)-[:HAS_FACT]->(f:Disability) WHERE f.grade IN $severe_grades RETURN f
}
WITH p, collect(f) AS flags
WHERE NOT EXISTS { (p)-[:HAS_FACT]->(:Death) }
MATCH (p)-[m:MEMBER_OF]->(h:Household) WHERE m.until IS NULL
  AND ($households IS NULL OR h.household_id IN $households)
  AND NOT EXISTS {
    MATCH (p)<-[:COVERS|GRANTED_TO]-(e:Enrollment)-[:FOR_PROGRAMME]->(:Programme {basic_living: true})
    WHERE e.end_date IS NULL OR e.end_date >= $as_of }
  AND NOT EXISTS {
    MATCH (h)<-[:GRANTED_TO]-(e:Enrollment)-[:FOR_PROGRAMME]->(:Programme {basic_living: true})
    WHERE e.end_date IS NULL OR e.end_date >= $as_of }
MATCH (h)<-[m2:MEMBER_OF]-(x:Person) WHERE m2.until IS NULL
WITH p, flags, h, collect(x) AS members
RETURN p.id_number AS person, p.name AS name, h.household_id AS household, h.township_code AS township,
       h.village_code AS village, size(members) AS size,
       [f IN flags | f {.fact_id, .kind, .grade, .source, label: labels(f)[0]}] AS flags,
       COLLECT { UNWIND members AS x MATCH (x)-[:HAS_FACT]->(i:Income)
                 RETURN i {.fact_id, .year, .annual_income_fen} }
         AS incomes
"""
)


def vulnerable_uncovered(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(VULNERABLE):
        line = line_fen(ctx.rules, r["township"])
        income = per_capita_monthly_fen(r["incomes"], r["size"])
        if income is None or income >= line:
            continue  # not shown to be under the line
        flags_zh = "、".join(
            words.term("value", f["kind"]) if f["label"] == "Vulnerability" else f"{f['grade']}级残疾"
            for f in r["flags"]
        )
        flags_en = ", ".join(
            words.term("value", f["kind"], "en")
            if f["label"] == "Vulnerability"
            else f"disability grade {f['grade']}"
            for f in r["flags"]
        )
        codes = sorted({f["source"] for f in r["flags"]})
        sources = "、".join(words.department(c) for c in codes)
        sources_en = ", ".join(words.department(c, "en") for c in codes)
        evidence = [
            Evidence("Person", r["person"], "vulnerable"),
            Evidence("Household", r["household"], "household"),
        ]
        evidence += [Evidence(f["label"], f["fact_id"], "flag") for f in r["flags"]]
        evidence += [Evidence("Income", i["fact_id"], "income") for i in r["incomes"]]
        # Further under the line, more urgent.
        score = round(min(0.99, 0.85 + 0.15 * (1 - income / line)), 3)
        found.append(
            Situation(
                FindingKind.GAP_VULNERABLE_UNCOVERED,
                r["person"],
                score,
                f"{r['name']}被{sources}认定为{flags_zh}，家庭人均月收入{yuan(income)}元低于标准{yuan(line)}元，"
                f"但未享受低保或特困供养：请村里主动发现、帮办申请。",
                f"{r['name']} is flagged by {sources_en} ({flags_en}); the household's income of "
                f"{yuan(income)} yuan per person and month is under the line of {yuan(line)}, "
                "yet nobody receives basic living assistance.",
                evidence,
                township_code=r["township"],
                village_code=r["village"],
                details={
                    "person": r["person"],
                    "name": r["name"],
                    "household": r["household"],
                    "size": r["size"],
                    "income_fen": income,
                    "line_fen": line,
                    "flags": [
                        {
                            "kind": f["kind"] if f["label"] == "Vulnerability" else "disability",
                            "grade": f.get("grade"),
                            "source": f["source"],
                        }
                        for f in r["flags"]
                    ],
                },
            )
        )
    return found


# Members of households holding a current basic-living grant, with what special assistance they lack
# now: a grant that ended (a lapse, not renewed) is none, beyond a term break (renewal_grace_days).
MISSING_SPECIAL = (
    GRANTS
    + """
WITH DISTINCT e
CALL (e) {
  MATCH (e)-[:FOR_PROGRAMME]->(:Programme {basic_living: true})
  WHERE e.end_date IS NULL OR e.end_date >= $as_of
  MATCH (e)-[:GRANTED_TO]->(g)
  OPTIONAL MATCH (g)-[m:MEMBER_OF]->(gh:Household) WHERE m.until IS NULL
  RETURN DISTINCT coalesce(CASE WHEN g:Household THEN g END, gh) AS h
}
WITH DISTINCT h WHERE h IS NOT NULL AND ($households IS NULL OR h.household_id IN $households)
MATCH (h)<-[m:MEMBER_OF]-(x:Person) WHERE m.until IS NULL AND NOT EXISTS { (x)-[:HAS_FACT]->(:Death) }
WITH h, x,
  CASE WHEN x.birth_date IS NULL THEN null ELSE duration.between(x.birth_date, $as_of).years END AS age
WITH h, x, age,
  CASE WHEN age >= $school_age_min AND age <= $school_age_max
            AND NOT EXISTS { MATCH (x)<-[:GRANTED_TO|COVERS]-(s:Enrollment {programme_code: $edu_programme})
                             WHERE s.start_date <= $as_of + duration({days: $renewal_grace_days})
                               AND (s.end_date IS NULL
                                    OR s.end_date >= $as_of - duration({days: $renewal_grace_days})) }
       THEN $edu_programme END AS no_edu,
  [(x)-[:HAS_FACT]->(d:Disability) WHERE d.grade IN $rehab_grades
       AND NOT EXISTS { MATCH (x)<-[:GRANTED_TO|COVERS]-(s:Enrollment {programme_code: $rehab_programme})
                        WHERE s.start_date <= $as_of + duration({days: $renewal_grace_days})
                          AND (s.end_date IS NULL
                               OR s.end_date >= $as_of - duration({days: $renewal_grace_days})) }
       | d] AS no_rehab
WHERE no_edu IS NOT NULL OR size(no_rehab) > 0
RETURN x.id_number AS person, x.name AS name, age, h.household_id AS household, h.township_code AS township,
       h.village_code AS village, no_edu, [d IN no_rehab | d {.fact_id, .grade}] AS disabilities
"""
)


def missing_special(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(MISSING_SPECIAL):
        base = [
            Evidence("Person", r["person"], "beneficiary"),
            Evidence("Household", r["household"], "household"),
        ]
        if r["no_edu"]:
            found.append(
                Situation(
                    FindingKind.GAP_MISSING_SPECIAL,
                    f"{r['person']}|{r['no_edu']}",
                    0.9,
                    f"低保/特困家庭{r['household']}的{r['name']}（{r['age']}岁）在学龄，未享受{words.programme(r['no_edu'])}。",
                    f"{r['name']} ({r['age']}) of basic-living household {r['household']} "
                    f"is of school age and lacks {words.programme(r['no_edu'], 'en').lower()}.",
                    base,
                    township_code=r["township"],
                    village_code=r["village"],
                )
            )
        if r["disabilities"]:
            grades = "、".join(str(d["grade"]) for d in r["disabilities"])
            programme = ctx.rules.special.rehabilitation_programme
            found.append(
                Situation(
                    FindingKind.GAP_MISSING_SPECIAL,
                    f"{r['person']}|{programme}",
                    0.9,
                    f"低保/特困家庭{r['household']}的{r['name']}持{grades}级残疾证，未享受{words.programme(programme)}。",
                    f"{r['name']} of basic-living household {r['household']} holds a disability certificate "
                    f"(grade {grades}) and lacks {words.programme(programme, 'en').lower()}.",
                    base + [Evidence("Disability", d["fact_id"], "fact") for d in r["disabilities"]],
                    township_code=r["township"],
                    village_code=r["village"],
                )
            )
    return found


# One pass over the staff, then one row per township or village.
TOWNSHIP_STAFFING = """
CALL () {
  MATCH (s:Staff) WHERE s.staff_role IN $staff_roles
    AND (s.active_from IS NULL OR s.active_from <= $as_of)
    AND (s.active_until IS NULL OR s.active_until >= $as_of)
  RETURN collect(s.township_code) AS posted
}
MATCH (t:Township)
WITH t, size([x IN posted WHERE x = t.code]) AS staff,
     CASE WHEN coalesce(t.population, 0) >= $population_threshold THEN $minimum_at_or_above
          ELSE $minimum_below END
       AS required
WHERE staff < required
RETURN t.code AS township, t.name AS name, t.population AS population, staff, required
"""

VILLAGE_STAFFING = """
CALL () {
  MATCH (s:Staff) WHERE s.staff_role IN $coordinator_roles AND s.village_code IS NOT NULL
    AND (s.active_from IS NULL OR s.active_from <= $as_of)
    AND (s.active_until IS NULL OR s.active_until >= $as_of)
  WITH s.village_code AS village, count(*) AS staff
  RETURN collect([village, staff]) AS posted
}
MATCH (v:Village)
WITH v, coalesce(head([x IN posted WHERE x[0] = v.code | x[1]]), 0) AS staff WHERE staff < $village_minimum
RETURN v.code AS village, v.name AS name, left(v.code, 9) AS township, staff
"""


def staffing(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(TOWNSHIP_STAFFING):
        found.append(
            Situation(
                FindingKind.GAP_STAFFING,
                f"township|{r['township']}",
                0.99,
                f"{r['name']}常住{r['population']}人，按规定至少需要{r['required']}名社会救助经办人员，现有{r['staff']}名。",
                f"{r['name']} ({r['population']} residents) needs at least {r['required']} assistance staff "
                f"by the rule and has {r['staff']}.",
                [Evidence("Township", r["township"], "township")],
                township_code=r["township"],
                details={"staff": r["staff"], "required": r["required"]},
            )
        )
    for r in ctx.read(VILLAGE_STAFFING):
        found.append(
            Situation(
                FindingKind.GAP_STAFFING,
                f"village|{r['village']}",
                0.99,
                f"{r['name']}救助服务站没有在岗协理员（至少需要{ctx.rules.staffing.village_minimum}名）。",
                f"The assistance station of {r['name']} has no active coordinator "
                f"(at least {ctx.rules.staffing.village_minimum} required).",
                [Evidence("Village", r["village"], "village")],
                township_code=r["township"],
                village_code=r["village"],
                details={"staff": r["staff"], "required": ctx.rules.staffing.village_minimum},
            )
        )
    return found


VISITS_OVERDUE = (
    GRANTS
    + """
WITH DISTINCT e
MATCH (e)-[:FOR_PROGRAMME]->(:Programme {basic_living: true})
WHERE e.end_date IS NULL OR e.end_date >= $as_of
MATCH (e)-[:GRANTED_TO]->(g)
OPTIONAL MATCH (g)-[m:MEMBER_OF]->(gh:Household) WHERE m.until IS NULL
WITH e, coalesce(CASE WHEN g:Household THEN g END, gh) AS h
WHERE h IS NOT NULL AND ($households IS NULL OR h.household_id IN $households)
WITH h, min(e.start_date) AS since, collect(e.enrollment_id) AS enrollments
OPTIONAL MATCH (v:Visit)-[:VISITED]->(h)
WITH h, since, enrollments, max(v.visit_date) AS last
WHERE coalesce(last, since) < $as_of - duration({days: $visit_days})
RETURN h.household_id AS household, h.township_code AS township, h.village_code AS village, since, last,
       enrollments, duration.inDays(coalesce(last, since), $as_of).days AS days
"""
)

APPLICATIONS_OVERDUE = (
    CASES
    + """
WITH DISTINCT c
WHERE c.status IN $pending_statuses AND NOT coalesce(c.urgent, false)
  AND c.submitted_date < $as_of - duration({days: $application_days})
  AND ($households IS NULL OR c.household_id IN $households)
RETURN c.case_id AS case, c.programme_code AS programme, c.status AS status, c.household_id AS household,
       c.township_code AS township, c.village_code AS village, c.submitted_date AS submitted,
       duration.inDays(c.submitted_date, $as_of).days AS days
"""
)


def overdue(ctx: DetectionContext) -> list[Situation]:
    o = ctx.rules.overdue
    found = []
    for r in ctx.read(VISITS_OVERDUE):
        since = f"上次探访在{r['last']}" if r["last"] else f"自{r['since']}享受救助以来从未探访"
        found.append(
            Situation(
                FindingKind.GAP_OVERDUE,
                f"visit|{r['household']}",
                0.9,
                f"低保/特困家庭{r['household']}已{r['days']}天未探访（{since}），超过{o.visit_days}天的要求。",
                f"Basic-living household {r['household']} has not been visited for {r['days']} days "
                f"({'last visit ' + str(r['last']) if r['last'] else 'never since ' + str(r['since'])}); "
                f"the rule is every {o.visit_days} days.",
                [Evidence("Household", r["household"], "household")]
                + [Evidence("Enrollment", e, "grant") for e in r["enrollments"]],
                township_code=r["township"],
                village_code=r["village"],
                details={"days": r["days"]},
            )
        )
    for r in ctx.read(APPLICATIONS_OVERDUE):
        found.append(
            Situation(
                FindingKind.GAP_OVERDUE,
                f"case|{r['case']}",
                0.9,
                f"{words.programme(r['programme'])}申请{r['case']}于{r['submitted']}提交，已{r['days']}"
                f"天仍处于{words.term('status', r['status'])}，"
                f"超过{o.application_days}天办理时限。",
                f"{words.programme(r['programme'], 'en')} application {r['case']}"
                f" submitted on {r['submitted']} "
                f"is still {words.term('status', r['status'], 'en')} after {r['days']}"
                f" days; the time limit is {o.application_days}.",
                [Evidence("Case", r["case"], "case"), Evidence("Household", r["household"], "household")],
                township_code=r["township"],
                village_code=r["village"],
                details={"days": r["days"]},
            )
        )
    return found


# A green-channel grant (先行救助) paid before publicity, not decided on review by the day its
# review was due (rules/casework.toml [green_channel], recorded on the case when granted).
URGENT_UNREVIEWED = (
    CASES
    + """
WITH DISTINCT c
WHERE c.urgent AND NOT c.status IN $reviewed AND c.review_due < $as_of
  AND ($households IS NULL OR c.household_id IN $households)
RETURN c.case_id AS case, c.programme_code AS programme, c.status AS status, c.household_id AS household,
       c.township_code AS township, c.village_code AS village, c.urgent_granted_date AS granted,
       c.review_due AS due, c.urgent_amount_fen AS amount_fen,
       duration.inDays(c.review_due, $as_of).days AS days
"""
)


def urgent_unreviewed(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in ctx.read(URGENT_UNREVIEWED, reviewed=list(REVIEWED)):
        found.append(
            Situation(
                FindingKind.GAP_URGENT_UNREVIEWED,
                f"urgent|{r['case']}",
                0.9,
                f"{words.programme(r['programme'])}先行救助{r['case']}于{r['granted']}"
                f"发放{yuan(r['amount_fen'])}元，应于{r['due']}前完成公示和审核，"
                f"已逾期{r['days']}天仍处于{words.term('status', r['status'])}。",
                f"Urgent {words.programme(r['programme'], 'en')} grant {r['case']} of "
                f"{yuan(r['amount_fen'])} yuan paid on {r['granted']} was due for publicity and review "
                f"by {r['due']}; it is still {words.term('status', r['status'], 'en')} "
                f"{r['days']} days later.",
                [Evidence("Case", r["case"], "case"), Evidence("Household", r["household"], "household")],
                township_code=r["township"],
                village_code=r["village"],
                details={"days": r["days"], "due": str(r["due"])},
            )
        )
    return found
