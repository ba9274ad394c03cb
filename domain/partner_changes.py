"""What partners hear about the persons they serve (issue 24): the kinds of change, and the
one Cypher fragment that appends changes to their log where the changes are written.

A change is a (:PartnerChange) numbered from a counter in the same transaction as the write
that caused it: the counter's lock serialises appends, so numbers are gap-free and in commit
order, and a reader that remembers the last number it processed sees every later change
exactly once. Who may read which change is decided when it is read (access/operations.py).
"""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    DEATH_RECORDED = "death_recorded"
    ENROLLMENT_STARTED = "enrollment_started"
    ENROLLMENT_ENDED = "enrollment_ended"
    ENROLLMENT_SUSPENDED = "enrollment_suspended"
    HOUSEHOLD_MOVED = "household_moved"
    RESTRICTION_STARTED = "restriction_started"
    RESTRICTION_ENDED = "restriction_ended"
    VERIFICATION_CHANGED = "verification_changed"


SEQUENCE_NAME = "partner_changes"
# Details a change may carry besides its kind and person; nothing else is stored on it.
DETAILS = (
    "fact_kind",
    "source",
    "as_of",
    "death_date",
    "enrollment_id",
    "programme",
    "start_date",
    "end_date",
    "household_id",
    "from_village",
    "to_village",
    "record_id",
)


def append_changes(changes: str, imported: str) -> str:
    """Cypher appending the changes of the current row: ``changes`` is an expression giving a
    list of maps {kind, id_number, detail: {…DETAILS}}; ``imported`` names the variables it
    reads. Appends nothing, and takes no lock, when the list is empty. The expressions come
    from the feeds' and steps' definitions, never from input."""
    return f"""CALL ({imported}) {{
  WITH {changes} AS partner_changes
  WITH partner_changes WHERE size(partner_changes) > 0
  MERGE (counter:Sequence {{name: '{SEQUENCE_NAME}'}}) ON CREATE SET counter.value = 0
  SET counter.value = counter.value + size(partner_changes)
  WITH partner_changes, counter.value - size(partner_changes) AS base
  UNWIND range(0, size(partner_changes) - 1) AS i
  CREATE (pc:PartnerChange {{seq: base + i + 1, kind: partner_changes[i].kind,
    id_number: partner_changes[i].id_number, at: datetime()}})
  SET pc += partner_changes[i].detail
}}
"""
