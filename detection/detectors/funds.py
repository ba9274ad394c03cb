"""Reconciliation of the money's path (domain.md §12): the payment file sent to the bank
against the grants behind it, the bank's return against the file, and a township's lines
against its allocation. Skimming shows as approved ≠ sent ≠ credited, as accounts the grant
and the file did not name, and as one account collecting for several households."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from detection.context import DetectionContext
from detection.detectors.anchors import LINES
from detection.situation import Evidence, Situation, yuan
from detection.words import programme, term
from domain.finding_kinds import FindingKind
from domain.money import FEN_PER_YUAN

# Every line with what reconciling it needs: the return, the grantee and their household
# (a person's current one), who is inside (the grantee and the household's current members),
# who holds the named and the credited account, and the grantee's grants of the line's
# programme that had started by the end of the paid month. A grant `covers` the month unless
# it ended before it or its case was terminated or suspended (the case's decided_date) before it.
LINE_FACTS = (
    LINES
    + """
WITH DISTINCT l
MATCH (l)-[:NAMES_ACCOUNT]->(named:BankAccount)
OPTIONAL MATCH (l)-[:LINE_FOR]->(g)
WITH l, named, g, CASE WHEN g:Household THEN g ELSE COLLECT {
  MATCH (g)-[gm:MEMBER_OF]->(gh:Household) RETURN gh ORDER BY gm.until IS NULL DESC, gm.since DESC LIMIT 1
}[0] END AS h
WHERE $households IS NULL OR h.household_id IN $households
OPTIONAL MATCH (r:BankReturn)-[:RETURN_OF]->(l)
OPTIONAL MATCH (r)-[:CREDITED_TO]->(credited:BankAccount)
WITH l, named, g, h, r, credited, date(l.period + '-01') AS first
WITH l, named, g, h, r, credited, first, first + duration({months: 1}) - duration({days: 1}) AS last
RETURN l {.line_id, .file_id, .period, .programme_code, .amount_fen, .township_code, .household_id,
          .id_number, .payee_name} AS line,
       named.number AS named, g IS NOT NULL AS grantee_known,
       h.household_id AS household, h.village_code AS village,
       r {.status, .amount_fen, .reason} AS ret, credited.number AS credited,
       [x IN [g] WHERE x:Person | x.id_number] + COLLECT {
         MATCH (h)<-[m:MEMBER_OF]-(x:Person) WHERE m.until IS NULL RETURN x.id_number } AS insiders,
       COLLECT { MATCH (x:Person)-[:HOLDS_ACCOUNT]->(named) RETURN x.id_number } AS named_holders,
       COLLECT { MATCH (x:Person)-[:HOLDS_ACCOUNT]->(credited) RETURN x.id_number } AS credited_holders,
       COLLECT {
         MATCH (g)<-[:GRANTED_TO]-(e:Enrollment {programme_code: l.programme_code})
         WHERE e.start_date <= last
         OPTIONAL MATCH (e)-[:FROM_CASE]->(c:Case)
         OPTIONAL MATCH (e)-[:PAYS_INTO]->(a:BankAccount)
         WITH e, c, a, c.status IN ['terminated', 'suspended'] AND c.decided_date < first AS stopped
         RETURN e {.enrollment_id, .monthly_amount_fen, .end_date, account: a.number, case_id: c.case_id,
                   case_status: c.status, stopped_on: CASE WHEN stopped THEN c.decided_date END,
                   covers: (e.end_date IS NULL OR e.end_date >= first) AND NOT coalesce(stopped, false)}
       } AS grants
"""
)


def _lines(ctx: DetectionContext) -> list[dict[str, Any]]:
    return ctx.read(LINE_FACTS)


def _where(r: dict[str, Any]) -> dict[str, Any]:
    return {"township_code": r["line"]["township_code"], "village_code": r["village"]}


def _grantee(r: dict[str, Any]) -> str:
    line = r["line"]
    return line["household_id"] or line["id_number"]


def _grantee_evidence(r: dict[str, Any]) -> list[Evidence]:
    line = r["line"]
    out = [Evidence("PaymentLine", line["line_id"], "line")]
    if r["grantee_known"]:
        if line["household_id"]:
            out.append(Evidence("Household", line["household_id"], "grantee"))
        else:
            out.append(Evidence("Person", line["id_number"], "grantee"))
    if r["household"] and r["household"] != line["household_id"]:
        out.append(Evidence("Household", r["household"], "household"))
    return out


def _covering(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in r["grants"] if g["covers"]]


def _reissued(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per line, the earlier line of the same grantee, programme and month that the bank
    refused or returned (a line is a re-issue when such a line exists beside it)."""
    failed: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["ret"] and r["ret"]["status"] in ("refused", "returned"):
            failed[(_grantee(r), r["line"]["programme_code"], r["line"]["period"])].append(r)
    out = {}
    for r in rows:
        key = (_grantee(r), r["line"]["programme_code"], r["line"]["period"])
        earlier = [x for x in failed.get(key, []) if x["line"]["line_id"] != r["line"]["line_id"]]
        if earlier and not (r["ret"] and r["ret"]["status"] in ("refused", "returned")):
            out[r["line"]["line_id"]] = min(earlier, key=lambda x: x["line"]["line_id"])
    return out


def amount_mismatch(ctx: DetectionContext) -> list[Situation]:
    tolerance = round(ctx.rules.funds.amount_tolerance * FEN_PER_YUAN)
    found = []
    for r in _lines(ctx):
        covering = [g for g in _covering(r) if g["monthly_amount_fen"] is not None]
        if not covering:
            continue
        line = r["line"]
        if any(abs(line["amount_fen"] - g["monthly_amount_fen"]) <= tolerance for g in covering):
            continue
        g = covering[0]
        diff = line["amount_fen"] - g["monthly_amount_fen"]
        more_en = "more" if diff > 0 else "less"
        grants = [Evidence("Enrollment", x["enrollment_id"], "grant") for x in covering]
        found.append(
            Situation(
                FindingKind.FUND_AMOUNT_MISMATCH,
                line["line_id"],
                0.9 if diff > 0 else 0.7,
                f"发放清册{line['file_id']}第{line['line_id']}行：{_grantee(r)}的{programme(line['programme_code'])}"
                f"{line['period']}发放{yuan(line['amount_fen'])}元，而批准的月保障金额（{g['enrollment_id']}）"
                f"是{yuan(g['monthly_amount_fen'])}元，相差{yuan(abs(diff))}元。",
                f"Payment file {line['file_id']}, line {line['line_id']}: {_grantee(r)}'s "
                f"{programme(line['programme_code'], 'en')} for {line['period']}"
                f" is {yuan(line['amount_fen'])} yuan, but the "
                f"approved monthly amount (grant {g['enrollment_id']}) is "
                f"{yuan(g['monthly_amount_fen'])} yuan: {yuan(abs(diff))} yuan {more_en}.",
                [*_grantee_evidence(r), *grants],
                amount_fen=abs(diff),
                **_where(r),
            )
        )
    return found


def line_without_grant(ctx: DetectionContext) -> list[Situation]:
    found = []
    for r in _lines(ctx):
        if r["grants"]:  # a grant that had started: covering (other kinds) or ended (paid after end)
            continue
        line = r["line"]
        who_zh = "" if r["grantee_known"] else "（登记中查无此户/此人）"
        who_en = "" if r["grantee_known"] else " (not in the registers)"
        found.append(
            Situation(
                FindingKind.FUND_LINE_WITHOUT_GRANT,
                line["line_id"],
                0.95 if r["grantee_known"] else 0.99,
                f"发放清册{line['file_id']}第{line['line_id']}行向{_grantee(r)}{who_zh}"
                f"发放{programme(line['programme_code'])}"
                f"{line['period']}共{yuan(line['amount_fen'])}元，打入账户尾号{r['named'][-4:]}，"
                f"但该月没有批准的救助。",
                f"Payment file {line['file_id']}, line {line['line_id']} pays {_grantee(r)}{who_en} "
                f"{yuan(line['amount_fen'])} yuan of {programme(line['programme_code'], 'en')}"
                f" for {line['period']} into "
                f"account …{r['named'][-4:]}, but no approved grant covers that month.",
                [*_grantee_evidence(r), Evidence("BankAccount", r["named"], "account")],
                amount_fen=line["amount_fen"],
                **_where(r),
            )
        )
    return found


def paid_after_end(ctx: DetectionContext) -> list[Situation]:
    """One finding per grant: its lines for months after it ended or its case was stopped."""
    by_grant: dict[str, list[dict[str, Any]]] = defaultdict(list)
    grants: dict[str, dict[str, Any]] = {}
    for r in _lines(ctx):
        if not r["grants"] or _covering(r):
            continue
        g = max(r["grants"], key=lambda x: x["enrollment_id"])
        by_grant[g["enrollment_id"]].append(r)
        grants[g["enrollment_id"]] = g
    found = []
    for enrollment, rows in sorted(by_grant.items()):
        g = grants[enrollment]
        rows.sort(key=lambda x: x["line"]["period"])
        periods = [x["line"]["period"] for x in rows]
        paid = sum(x["line"]["amount_fen"] for x in rows)
        if g["stopped_on"] is not None:
            stop = "终止" if g["case_status"] == "terminated" else "暂停"
            zh_end = f"案件{g['case_id']}已于{g['stopped_on']}{stop}"
            en_end = f"case {g['case_id']} was {term('status', g['case_status'], 'en')} on {g['stopped_on']}"
        else:
            zh_end, en_end = f"救助已于{g['end_date']}结束", f"the grant ended on {g['end_date']}"
        evidence = [Evidence("Enrollment", enrollment, "grant")]
        if g["case_id"]:
            evidence.append(Evidence("Case", g["case_id"], "case"))
        for x in rows:
            evidence += _grantee_evidence(x)
        found.append(
            Situation(
                FindingKind.FUND_PAID_AFTER_END,
                enrollment,
                0.95,
                f"{zh_end}，发放清册仍为{_grantee(rows[0])}列支了{periods[0]}至{periods[-1]}共{len(periods)}期，"
                f"{yuan(paid)}元。",
                f"{en_end[0].upper() + en_end[1:]}, yet the payment file still lists {_grantee(rows[0])} for "
                f"{len(periods)} months from {periods[0]} to {periods[-1]}, {yuan(paid)} yuan.",
                list(dict.fromkeys(evidence)),
                amount_fen=paid,
                **_where(rows[0]),
            )
        )
    return found


def account_mismatch(ctx: DetectionContext) -> list[Situation]:
    """The bank credited another account than the file named; or the file names an account
    that is neither the grant's nor held by anyone inside (a re-issue is judged as such)."""
    rows = _lines(ctx)
    reissues = _reissued(rows)
    found = []
    for r in rows:
        line = r["line"]
        credited = r["credited"]
        insider = bool(set(r["named_holders"]) & set(r["insiders"]))
        grant_accounts = {g["account"] for g in _covering(r) if g["account"]}
        if credited is not None and credited != r["named"]:
            zh = f"银行回盘显示入账账户尾号{credited[-4:]}，而清册指定的是尾号{r['named'][-4:]}"
            en = f"the bank credited account …{credited[-4:]}, while the file named …{r['named'][-4:]}"
            evidence = [
                Evidence("BankAccount", credited, "credited"),
                Evidence("BankAccount", r["named"], "named"),
                Evidence("BankReturn", line["line_id"], "return"),
            ]
            score = 0.97
        elif (
            grant_accounts
            and r["named"] not in grant_accounts
            and not insider
            and line["line_id"] not in reissues
        ):
            grant_account = sorted(grant_accounts)[0]
            zh = (
                f"清册指定账户尾号{r['named'][-4:]}，不是救助登记的账户尾号{grant_account[-4:]}，"
                "也不属于本户成员"
            )
            en = (
                f"the file names account …{r['named'][-4:]}, not the grant's account …{grant_account[-4:]}, "
                "and nobody in the household holds it"
            )
            evidence = [
                Evidence("BankAccount", r["named"], "named"),
                Evidence("BankAccount", grant_account, "grant_account"),
            ]
            score = 0.9
        else:
            continue
        evidence += [Evidence("Enrollment", g["enrollment_id"], "grant") for g in _covering(r)]
        found.append(
            Situation(
                FindingKind.FUND_ACCOUNT_MISMATCH,
                line["line_id"],
                score,
                f"发放清册{line['file_id']}第{line['line_id']}行（{_grantee(r)}，{programme(line['programme_code'])}"
                f"{line['period']}，{yuan(line['amount_fen'])}元）：{zh}。",
                f"Payment file {line['file_id']}, line {line['line_id']} ({_grantee(r)}, "
                f"{programme(line['programme_code'], 'en')} {line['period']}"
                f", {yuan(line['amount_fen'])} yuan): {en}.",
                [*_grantee_evidence(r), *evidence],
                amount_fen=line["amount_fen"],
                **_where(r),
            )
        )
    return found


def reissued_elsewhere(ctx: DetectionContext) -> list[Situation]:
    """A line the bank refused or returned, issued again for the same grantee, programme and
    month into an account held by nobody inside (a new account of the household's is normal)."""
    rows = _lines(ctx)
    reissues = _reissued(rows)
    found = []
    for r in rows:
        line = r["line"]
        first = reissues.get(line["line_id"])
        if first is None or r["named"] == first["named"]:
            continue
        if set(r["named_holders"]) & set(r["insiders"]):
            continue
        old = first["line"]
        status = first["ret"]["status"]
        reason = first["ret"].get("reason") or status
        found.append(
            Situation(
                FindingKind.FUND_REISSUED_ELSEWHERE,
                f"{old['line_id']}|{line['line_id']}",
                0.95,
                f"{_grantee(r)}的{programme(line['programme_code'])}{line['period']}"
                f"（{yuan(line['amount_fen'])}元）原打入"
                f"账户尾号{first['named'][-4:]}，被银行{'拒绝' if status == 'refused' else '退回'}"
                f"（{term('value', reason)}），随后改发到账户尾号{r['named'][-4:]}，该账户不属于本户成员。",
                f"{_grantee(r)}'s {programme(line['programme_code'], 'en')} for {line['period']} "
                f"({yuan(line['amount_fen'])} yuan) was {status} by the bank on account "
                f"…{first['named'][-4:]} ({term('value', reason, 'en')}) and "
                f"re-issued to account …{r['named'][-4:]}, which nobody in the household holds.",
                [
                    *_grantee_evidence(first),
                    *_grantee_evidence(r),
                    Evidence("BankReturn", old["line_id"], "return"),
                    Evidence("BankAccount", first["named"], "refused_account"),
                    Evidence("BankAccount", r["named"], "reissued_to"),
                    *(Evidence("Person", p, "account_holder") for p in r["named_holders"]),
                ],
                amount_fen=line["amount_fen"],
                **_where(r),
            )
        )
    for s in found:
        s.evidence = list(dict.fromkeys(s.evidence))
    return found


# A township's lines of one programme and month against its allocation; lines the bank
# refused or returned paid nothing (their re-issue is a line of its own).
OVER_ALLOCATION = """
MATCH (a:Allocation)
CALL (a) {
  MATCH (l:PaymentLine {period: a.period})
  WHERE l.township_code = a.township_code AND l.programme_code = a.programme_code
    AND NOT EXISTS { (l)<-[:RETURN_OF]-(r:BankReturn) WHERE r.status IN ['refused', 'returned'] }
  RETURN count(l) AS lines, sum(l.amount_fen) AS paid
}
OPTIONAL MATCH (t:Township {code: a.township_code})
RETURN a.allocation_id AS allocation, a.township_code AS township, a.programme_code AS programme,
       coalesce(t.name, a.township_code) AS township_name,
       a.period AS period, a.amount_fen AS allocated, lines, paid
"""


def over_allocation(ctx: DetectionContext) -> list[Situation]:
    tolerance = round(ctx.rules.funds.allocation_tolerance * FEN_PER_YUAN)
    found = []
    for r in ctx.read(OVER_ALLOCATION):
        over = (r["paid"] or 0) - r["allocated"]
        if over <= tolerance:
            continue
        found.append(
            Situation(
                FindingKind.FUND_OVER_ALLOCATION,
                r["allocation"],
                0.9,
                f"{r['township_name']}{r['period']}的{programme(r['programme'])}清册共{r['lines']}"
                f"行、{yuan(r['paid'])}元，"
                f"超出下达额度{yuan(r['allocated'])}元{yuan(over)}元。",
                f"Township {r['township_name']}'s {programme(r['programme'], 'en')}"
                f" payment file for {r['period']} holds "
                f"{r['lines']} lines, {yuan(r['paid'])} yuan, {yuan(over)} yuan over its allocation of "
                f"{yuan(r['allocated'])} yuan.",
                [
                    Evidence("Allocation", r["allocation"], "allocation"),
                    Evidence("Township", r["township"], "township"),
                ],
                township_code=r["township"],
                amount_fen=over,
            )
        )
    return found


# Kin between members (current or past) of two households, for the agent pattern.
RELATED_HOUSEHOLDS = """
UNWIND $household_ids AS hid
MATCH (h:Household {household_id: hid})<-[:MEMBER_OF]-(p:Person)
CALL (p) {
  MATCH (p)-[:KIN_OF]-(:Person)-[:MEMBER_OF]->(k:Household) RETURN k
  UNION
  MATCH (p)-[:MEMBER_OF]->(k:Household) RETURN k
}
WITH h, k WHERE k.household_id IN $household_ids AND k <> h
RETURN DISTINCT h.household_id AS a, k.household_id AS b
"""


def agent_accounts(ctx: DetectionContext) -> list[Situation]:
    """One finding per account: the months it was credited for grants of at least
    agent_min_households households none of which is related to another (as groups: two
    households joined by kin count once)."""
    minimum = ctx.rules.funds.agent_min_households
    credited: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in _lines(ctx):
        account = r["credited"] if r["ret"] else r["named"]
        if account is None or r["household"] is None or (r["ret"] and r["ret"]["status"] != "credited"):
            continue
        credited[(account, r["line"]["period"])].setdefault(r["household"], r)
    candidates = {k: v for k, v in credited.items() if len(v) >= minimum}
    if not candidates:
        return []
    households = sorted({h for v in candidates.values() for h in v})
    related = nx.Graph()
    related.add_edges_from((x["a"], x["b"]) for x in ctx.read(RELATED_HOUSEHOLDS, household_ids=households))
    by_account: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for (account, period), of_household in sorted(candidates.items()):
        group = nx.Graph()
        group.add_nodes_from(of_household)
        group.add_edges_from(related.subgraph(of_household).edges)
        if nx.number_connected_components(group) >= minimum:
            by_account[account][period] = [of_household[h] for h in sorted(of_household)]
    found = []
    for account, months in sorted(by_account.items()):
        rows = [r for period in sorted(months) for r in months[period]]
        holds = sorted({p for r in rows for p in (r["credited_holders"] if r["ret"] else r["named_holders"])})
        hh = sorted({r["household"] for r in rows})
        paid = sum(r["line"]["amount_fen"] for r in rows)
        periods = sorted(months)
        evidence = [Evidence("BankAccount", account, "account")]
        evidence += [Evidence("Household", h, "household") for h in hh]
        evidence += [Evidence("PaymentLine", r["line"]["line_id"], "line") for r in rows]
        evidence += [Evidence("Person", p, "account_holder") for p in holds]
        found.append(
            Situation(
                FindingKind.FUND_AGENT_ACCOUNT,
                account,
                0.95,
                f"账户尾号{account[-4:]}在{periods[0]}至{periods[-1]}的{len(periods)}个月里为{len(hh)}个互无亲属关系"
                f"的家庭入账救助金，共{yuan(paid)}元：疑似代领。",
                f"Account …{account[-4:]} was credited with the grants of {len(hh)} unrelated households in "
                f"{len(periods)} months from {periods[0]} to {periods[-1]}, {yuan(paid)} yuan: "
                "an agent's account?",
                evidence,
                township_code=rows[0]["line"]["township_code"],
                amount_fen=paid,
                details={"months": {p: sorted(r["household"] for r in months[p]) for p in periods}},
            )
        )
    return found
