"""The demo's work in progress: something on every demo role's main page.

The exports alone leave every case decided long ago and every finding open, so the
publicity lists, the credit officer's records and the credit feed were empty until someone
ran the workflow by hand. Here the demo's own staff run it, through the same service
functions the API's mutations call (resolvers/cases.py, resolvers/findings.py,
credit/records.py, guarded by domain/workflow.py): applications submitted, investigated and
posted for publicity in the demo coordinator's village, one refused; two fraud findings
confirmed, each drafted into a dishonesty record and decided, one of them published, so the
credit feed has changes; one urgent temporary-assistance grant through the green channel
(resolvers/green_channel.py), awaiting its review. Run once: a second demo finds its work
done and leaves it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from credit.records import CreditStep, credit_step, defence_deadline, draft_record
from credit.rules import read_credit_rules
from domain.finding_kinds import FindingKind, FindingStep
from graph.driver import open_async_driver
from loaders.rows.benefits import Channel
from reliefgraph.commands.serve import DEMO_KEYS, DEMO_TOWNSHIP, DEMO_VILLAGE
from resolvers.cases import Step, apply_step, flag_restricted, step_changes, submit_application
from resolvers.findings import review
from resolvers.gateway import GraphGateway
from resolvers.green_channel import grant_urgent
from schema.credit import add_months  # the publicity end the API's publish step sets
from settings import Settings
from settings.casework_rules import read_casework_rules

# The demo's staff, as its keys name them.
CASEWORKER = DEMO_KEYS["rg_demo_caseworker"][0]
INVESTIGATOR = DEMO_KEYS["rg_demo_investigator"][0]
CREDIT_OFFICER = DEMO_KEYS["rg_demo_credit_officer"][0]

# Households of the village with a current member and no case yet: the demo's applicants.
DEMO_APPLICANTS = """
MATCH (h:Household)-[:IN_VILLAGE]->(:Village {code: $village})
WHERE NOT EXISTS { (:Case)-[:FOR_HOUSEHOLD]->(h) }
MATCH (h)<-[m:MEMBER_OF]-(p:Person) WHERE m.until IS NULL
WITH h, min(p.id_number) AS applicant
RETURN h.household_id AS household_id, applicant ORDER BY household_id LIMIT $limit
"""

# Fraud findings still open, with a person they concern (named, or a member of a household named).
DEMO_FRAUD = """
MATCH (f:Finding) WHERE f.kind IN $kinds AND f.status IN $statuses
CALL (f) {
  MATCH (f)-[:EVIDENCE]->(p:Person) RETURN p
  UNION
  MATCH (f)-[:EVIDENCE]->(:Household)<-[m:MEMBER_OF]-(p:Person) WHERE m.until IS NULL RETURN p
}
WITH f, min(p.id_number) AS subject WHERE subject IS NOT NULL
RETURN f.finding_id AS finding_id, f.version AS version, subject ORDER BY f.kind, f.finding_id LIMIT $limit
"""

# What an earlier demo already did (by the demo's own staff).
DEMO_DONE = """
RETURN COUNT { MATCH (c:Case) WHERE c.created_by = $caseworker } AS cases,
       COUNT { MATCH (r:CreditRecord) WHERE r.created_by = $investigator } AS records
"""


@dataclass(frozen=True)
class DemoWork:
    in_publicity: int
    refused: int
    records: int  # decided dishonesty records
    published: int
    urgent: int = 0  # green-channel grants awaiting review

    def describe(self) -> str:
        return (
            f"demo work: {self.in_publicity} applications in publicity and {self.refused} refused in "
            f"village {DEMO_VILLAGE}; {self.records} dishonesty records decided, {self.published} "
            f"published (the credit feed has their changes); {self.urgent} urgent grant "
            "through the green channel awaiting review"
        )


async def _cases(gateway: GraphGateway, today: date, publicity_days: int) -> tuple[int, int]:
    applicants = await gateway.read(DEMO_APPLICANTS, village=DEMO_VILLAGE, limit=3)
    posted = refused = 0
    for n, a in enumerate(applicants):
        staff = {"township": DEMO_TOWNSHIP, "by": CASEWORKER, "role": "caseworker"}
        row = await submit_application(
            gateway,
            household_id=a["household_id"],
            township=DEMO_TOWNSHIP,
            applicant=a["applicant"],
            programme="DIBAO",
            case_id=f"ADEMO-{a['household_id']}",
            channel=Channel.WINDOW.value,
            by=CASEWORKER,
            role="caseworker",
            note="demo application",
        )
        if row is None:
            continue
        case = await flag_restricted(gateway, row["case"]["case_id"])
        refuse = n == len(applicants) - 1 and n > 0  # the last one, so the list shows a refusal too
        review_step = Step.REVIEW_REJECT if refuse else Step.REVIEW_APPROVE
        version, ok = case["version"], True
        for step, reason in (
            (Step.INVESTIGATE, "demo: home visit done, income and assets verified"),
            (review_step, "家庭人均收入高于低保标准" if refuse else None),
        ):
            changes = step_changes(step, today, publicity_days, reason)
            if step is Step.REVIEW_APPROVE:
                changes["proposed_monthly_amount_fen"] = 104_000
            row = await apply_step(
                gateway, case["case_id"], step, version, note=reason, changes=changes, **staff
            )
            ok = row is not None and bool(row["ok"])
            if row is None or not ok:
                break
            version = row["case"]["version"]
        if ok:
            refused, posted = refused + int(refuse), posted + int(not refuse)
    return posted, refused


async def _urgent(gateway: GraphGateway, today: date, settings: Settings) -> int:
    """One urgent temporary-assistance grant in the demo village, drawn on the reserve."""
    rules = read_casework_rules(settings.casework_rules_file).green_channel
    applicants = await gateway.read(DEMO_APPLICANTS, village=DEMO_VILLAGE, limit=1)
    if not applicants:
        return 0
    a = applicants[0]
    row = await grant_urgent(
        gateway,
        household_id=a["household_id"],
        township=DEMO_TOWNSHIP,
        applicant=a["applicant"],
        programme=rules.programmes[0],
        case_id=f"UDEMO-{a['household_id']}",
        channel=Channel.WINDOW.value,
        amount_fen=100_000,  # 1,000 yuan: within three months of any township's line
        year=today.year,
        today=today,
        review_due=today + timedelta(days=rules.review_within_days),
        note="demo: 房屋火灾，家中无住所，已现场核实",
        by=CASEWORKER,
        role="caseworker",
    )
    return 1 if row is not None and row["ok"] else 0


async def _records(gateway: GraphGateway, today: date, max_months: int, defence_days: int) -> tuple[int, int]:
    kinds = [k.value for k in (FindingKind.DUP_PAYMENT, FindingKind.PAYMENT_TO_THIRD_PARTY)]
    findings = await gateway.read(DEMO_FRAUD, kinds=kinds, statuses=["open", "assigned"], limit=2)
    decided = published = 0
    for n, f in enumerate(findings):
        facts = "demo: payments verified against the bank's records; the household was told"
        confirmed = await review(
            gateway,
            f["finding_id"],
            FindingStep.CONFIRM,
            f["version"],
            by=INVESTIGATOR,
            role="investigator",
            note=facts,
            changes={"confirmed_facts": facts, "confirmed_amount_fen": 208_000, "confirmed_on": today},
        )
        if confirmed is None or not confirmed["ok"]:
            continue
        record = await draft_record(
            gateway,
            finding_id=f["finding_id"],
            subject=f["subject"],
            case_id=None,
            record_id=f"DRDEMO-{n + 1}",
            behaviour="false_report",
            legal_basis="《社会救助暂行办法》第六十八条",
            severity="general",
            by=INVESTIGATOR,
            role="investigator",
            note=f"from finding {f['finding_id']}",
        )
        if record is None:
            continue
        officer: dict[str, Any] = {"by": CREDIT_OFFICER, "role": "credit_officer"}
        # Due process first: the notice served in person, and the subject's written waiver of
        # the defence window, so the demo can decide today (docs/credit.md).
        version = record["version"]
        for due_step, due_changes, due_note in (
            (
                CreditStep.NOTIFY,
                {
                    "notice_served_by": "in_person",
                    "notice_served_on": today,
                    "defence_deadline": defence_deadline(today, defence_days),
                },
                "demo: notice served in person",
            ),
            (
                CreditStep.DEFENCE,
                {
                    "defence_statement": "本人对认定事实无异议，书面放弃陈述申辩。",
                    "defence_response": None,
                    "defence_waived": True,
                    "defence_recorded_on": today,
                },
                "defence waived in writing",
            ),
        ):
            due = await credit_step(
                gateway, record["record_id"], due_step, version, note=due_note, changes=due_changes, **officer
            )
            if due is None or not due["ok"]:
                break
            version = due["record"]["version"]
        step = await credit_step(
            gateway,
            record["record_id"],
            CreditStep.DECIDE,
            version,
            note=f"decision 泗民信〔{today.year}〕{n + 1}号",
            changes={
                "deciding_authority": "泗水县民政局",
                "decision_number": f"泗民信〔{today.year}〕{n + 1}号",
                "decision_date": today,
                "recovery_amount_fen": 208_000,
                "aid_stopped": False,
            },
            **officer,
        )
        if step is None or not step["ok"]:
            continue
        decided += 1
        if n == 0:
            step = await credit_step(
                gateway,
                record["record_id"],
                CreditStep.PUBLISH,
                step["record"]["version"],
                note=None,
                changes={"publicity_start": today, "publicity_end": add_months(today, max_months)},
                **officer,
            )
            published += 1 if step is not None and step["ok"] else 0
    return decided, published


async def _prepare(settings: Settings) -> DemoWork | None:
    driver = await open_async_driver(settings)
    try:
        gateway = GraphGateway(driver, settings.neo4j_database, settings.query_timeout_s)
        done = (await gateway.read(DEMO_DONE, caseworker=CASEWORKER, investigator=INVESTIGATOR))[0]
        if done["cases"] or done["records"]:
            return None
        today = date.today()
        posted, refused = await _cases(gateway, today, settings.publicity_days)
        decided, published = await _records(
            gateway,
            today,
            settings.credit_max_publicity_months,
            read_credit_rules(settings.credit_rules_file).due_process.defence_days,
        )
        urgent = await _urgent(gateway, today, settings)
        return DemoWork(posted, refused, decided, published, urgent)
    finally:
        await driver.close()


def prepare_demo_work(settings: Settings) -> DemoWork | None:
    """Run the demo's workflow once; None when an earlier demo did."""
    return asyncio.run(_prepare(settings))
