"""Fund feeds (domain.md §12): budget lines and allocations (CZ), the payment file sent to the
bank (MZ, 发放清册) and the bank's return file (YH, 回盘)."""

from __future__ import annotations

from typing import Any

from loaders.feeds.base import GRANTEE, Feed, keyed_params, link_account, link_where_held, replace_single
from loaders.references import Ref, RefKind
from loaders.rows import funds as rows
from loaders.rows.common import FeedRow
from resolvers.green_channel import budget_line_id

# A budget line is a programme's year (or its reserve's); a later export for the same year
# replaces the amount.
UPSERT_BUDGETS = """
UNWIND $rows AS row
MATCH (prog:Programme {code: row.programme})
MERGE (b:BudgetLine {budget_id: row.budget_id})
SET b.programme_code = row.programme, b.year = row.year, b.amount_fen = row.amount_fen, b.source = row.source,
    b.reserve = row.reserve
MERGE (b)-[:BUDGETED_FOR]->(prog)
"""

UPSERT_ALLOCATIONS = """
UNWIND $rows AS row
MATCH (prog:Programme {code: row.programme})
MATCH (t:Township {code: row.township_code})
MERGE (a:Allocation {allocation_id: row.allocation_id})
SET a.programme_code = row.programme, a.township_code = row.township_code, a.period = row.period,
    a.amount_fen = row.amount_fen, a.source = row.source
MERGE (a)-[:BUDGETED_FOR]->(prog)
MERGE (a)-[:ALLOCATED_TO]->(t)
"""

# The grantee and grant are linked where the graph holds them; a line naming neither is kept
# as written (a line with no grant behind it is what reconciliation must see).
UPSERT_PAYMENT_LINES = (
    """
UNWIND $rows AS row
MERGE (acc:BankAccount {number: row.account_number})
MERGE (l:PaymentLine {line_id: row.line_id})
SET l.file_id = row.file_id, l.township_code = row.township_code, l.programme_code = row.programme,
    l.period = row.period, l.household_id = row.household_id, l.id_number = row.id_number,
    l.enrollment_id = row.enrollment_id, l.payee_name = row.payee_name, l.amount_fen = row.amount_fen
WITH row, l, acc
"""
    + replace_single("l", "NAMES_ACCOUNT", "acc")
    + """
MERGE (l)-[:NAMES_ACCOUNT]->(acc)
"""
    + link_where_held(
        "l",
        [
            ("LINE_FOR", "grantee", GRANTEE),
            ("LINE_OF_GRANT", "e", ("OPTIONAL MATCH (e:Enrollment {enrollment_id: row.enrollment_id})", "e")),
        ],
    )
)

UPSERT_BANK_RETURNS = (
    """
UNWIND $rows AS row
MATCH (l:PaymentLine {line_id: row.line_id})
MERGE (r:BankReturn {line_id: row.line_id})
SET r.status = row.status, r.amount_fen = row.amount_fen, r.value_date = row.value_date,
    r.reason = row.reason, r.note = row.note, r.account_number = row.account_number
MERGE (r)-[:RETURN_OF]->(l)
"""
    + link_account("r", "CREDITED_TO")
    + """WITH row, r
// A later return saying the line was refused removes the account an earlier one credited.
OPTIONAL MATCH (r)-[gone:CREDITED_TO]->() WHERE row.account_number IS NULL
DELETE gone
"""
)


def _budget_params(row: FeedRow) -> dict[str, Any]:
    params = row.params()
    params["budget_id"] = budget_line_id(params["programme"], params["year"], params["reserve"])
    return params


FUND_FEEDS = (
    Feed(
        "budgets",
        rows.BudgetRow,
        20,
        UPSERT_BUDGETS,
        "budget lines per programme and year (CZ)",
        owners=("CZ",),
        to_params=_budget_params,
        note="One line per programme and year; a later file for the same year replaces the amount. "
        "A line with `reserve` yes is the county's temporary-assistance reserve (备用金) of that "
        "programme and year, kept apart from its budget: the green channel's urgent grants draw "
        "on it (domain.md section 12).",
    ),
    Feed(
        "allocations",
        rows.AllocationRow,
        20,
        UPSERT_ALLOCATIONS,
        "allocations per township, programme and month (CZ)",
        owners=("CZ",),
        refs=(Ref("township_code", RefKind.TOWNSHIP),),
        to_params=keyed_params("allocation_id", "township_code", "programme", "period"),
        note="One line per township, programme and month (`period`); a later file replaces the amount.",
    ),
    Feed(
        "payment_files",
        rows.PaymentFileRow,
        85,
        UPSERT_PAYMENT_LINES,
        "the monthly payment file sent to the bank, one line per grantee (发放清册, MZ)",
        owners=("MZ",),
        refs=(Ref("township_code", RefKind.TOWNSHIP),),
        note="Give exactly one of `household_id` (a household grant) or `id_number` (a person grant). "
        "A line naming a household, person or grant the graph does not hold is kept as written, "
        "not rejected: a line with no approved grant behind it is what reconciliation looks for "
        "(detection.md). A re-issued payment is a new line with its own `line_id`.",
    ),
    Feed(
        "bank_returns",
        rows.BankReturnRow,
        90,
        UPSERT_BANK_RETURNS,
        "the bank's return file: each payment-file line credited, refused or returned (回盘, YH)",
        owners=("YH",),
        refs=(Ref("line_id", RefKind.PAYMENT_LINE),),
        note="`status` also reads the banks' words: 成功/入账成功/已入账 (credited), 拒绝/失败/入账失败 "
        "(refused), 退回/退票 (returned); `reason` reads 账户已销户/销户 (account_closed), "
        "户名不符/户名不一致 (name_mismatch). A credited line gives the account and amount the bank "
        "credited; a later return for the same line replaces the earlier one.",
    ),
)
