"""External dishonesty records: those other agencies published on the credit platform, come
back into the graph (the `credit_records_external` feed, or the platform's push to
`POST /credit/inbound`). They restrict applications exactly as the county's own do
(records.IS_RESTRICTING), are shown as external with their source, take no local step
(records.STEP refuses them) and make no change for the export: the platform has them.
They end when their period of restriction ends, or when the platform withdraws them.

One statement takes both ways in, so a row loaded from the platform's file and the same
record pushed are one record: its key is the platform's record key."""

from __future__ import annotations

from typing import Any

from domain.partner_changes import ChangeKind, append_changes

# The record id of an external record: the platform's key, marked so it never looks local.
EXTERNAL_PREFIX = "EXT-"

# What a row writes on the record (the rest is the lifecycle's: status, version).
_FIELDS = (
    "source_agency",
    "source_record_key",
    "subject_name",
    "id_number",
    "behaviour",
    "legal_basis",
    "severity",
    "deciding_authority",
    "decision_number",
    "decision_date",
    "publicity_start",
    "publicity_end",
    "restriction_end",
)

# Partners serving the subject hear that a restriction started or ended, as for local records.
_RESTRICTION_CHANGES = f"""
CASE WHEN before = after THEN []
     WHEN after = 'published' THEN [{{kind: '{ChangeKind.RESTRICTION_STARTED}', id_number: r.id_number,
                                     detail: {{record_id: r.record_id}}}}]
     WHEN before = 'published' THEN [{{kind: '{ChangeKind.RESTRICTION_ENDED}', id_number: r.id_number,
                                       detail: {{record_id: r.record_id}}}}]
     ELSE [] END"""

# Idempotent on the platform's key: the same row again changes nothing (no version, no event).
# A record naming someone not in the county's register is refused (no one here to restrict);
# a withdrawal of a record never held is accepted, as there is nothing to withdraw.
RECEIVE_EXTERNAL = (
    (
        """
UNWIND $rows AS row
OPTIONAL MATCH (p:Person {id_number: row.id_number})
OPTIONAL MATCH (held:CreditRecord {record_id: $prefix + row.source_record_key})
WITH row, p, held,
  CASE WHEN held IS NOT NULL AND held.source_agency IS NULL
         THEN "the key names a record of the county's own"
       WHEN held IS NOT NULL AND held.source_agency <> row.source_agency
         THEN 'the key names a record of another agency (' + held.source_agency + ')'
       WHEN NOT row.withdrawn AND p IS NULL THEN "the subject is not in the county's register of persons"
       ELSE null END AS refused
CALL (row, p, held, refused) {
  WITH row, p, held, refused WHERE refused IS NULL AND (held IS NOT NULL OR NOT row.withdrawn)
  MERGE (r:CreditRecord {record_id: $prefix + row.source_record_key})
    ON CREATE SET r.version = 0, r.created_at = datetime(), r.created_by = $source_file
  WITH row, p, r, r.status AS before, properties(r) AS seen
  SET r += CASE WHEN row.withdrawn THEN {} ELSE row {FIELDS} END,
      r.status = CASE WHEN row.withdrawn THEN 'withdrawn' ELSE 'published' END,
      r.withdrawal_reason = CASE WHEN row.withdrawn THEN row.withdrawal_reason ELSE null END
  WITH row, p, r, before, seen, r.status AS after
  CALL (row, p, r, before, seen, after) {
    WITH row, p, r, before, seen, after WHERE seen <> properties(r)
    SET r.version = r.version + 1, r.updated_at = datetime(), r.updated_by = $source_file,
        r.source_file = $source_file
    FOREACH (x IN [y IN [p] WHERE y IS NOT NULL] | MERGE (r)-[:ABOUT]->(x))
    CREATE (r)-[:HAS_EVENT]->(:CreditEvent {event_id: randomUUID(), at: datetime(), by: $source_file,
        role: 'credit platform', action: CASE WHEN row.withdrawn THEN 'withdrawn' ELSE 'received' END,
        from_status: before, to_status: after, note: 'from ' + row.source_agency})
    WITH r, before, after
"""
        + append_changes(_RESTRICTION_CHANGES, "r, before, after")
        + """
  }
}
RETURN row.source_record_key AS key, refused
"""
    )
    .replace("{FIELDS}", "{" + ", ".join("." + f for f in _FIELDS) + "}")
    .replace("$prefix", f"'{EXTERNAL_PREFIX}'")
)


def external_record_id(source_record_key: str) -> str:
    return EXTERNAL_PREFIX + source_record_key


async def receive_external(gateway: Any, rows: list[dict[str, Any]], source: str) -> dict[str, str | None]:
    """Writes the rows (ExternalCreditRow.params()) in one transaction; the reason each refused
    one was refused, by the platform's key (None: accepted)."""
    result = await gateway.write(RECEIVE_EXTERNAL, rows=rows, source_file=source)
    return {r["key"]: r["refused"] for r in result}
