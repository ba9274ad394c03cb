"""What a feed is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loaders.references import Ref
from loaders.rows.common import FeedRow

_KEY = (
    "coalesce({n}.household_id, {n}.id_number, {n}.enrollment_id, {n}.case_id, {n}.code, {n}.number, "
    "{n}.staff_id)"
)


def replace_single(entity: str, rel: str, target: str, *, incoming: bool = False, keep: str = "") -> str:
    """Cypher that makes ``rel`` between ``entity`` and ``target`` the only one of its type:
    a link to anything else (an earlier export's case household, payment enrollment, fact
    owner…) is deleted and a (:Correction) records what it was, what replaced it, from which
    file and when. Idempotent: loading the same file again finds nothing to replace. With
    ``target`` null (the row names none) nothing is touched. Names come from the feed
    definitions, never from input. ``keep`` is a condition on ``stale`` for links that stay (a
    joint account's further holders)."""
    pattern = f"({entity})<-[stale:{rel}]-(prev)" if incoming else f"({entity})-[stale:{rel}]->(prev)"
    kept = f" AND NOT ({keep})" if keep else ""
    return f"""CALL {{
  WITH {entity}, {target}
  MATCH {pattern} WHERE prev <> {target}{kept}
  CREATE ({entity})-[:CORRECTED]->(:Correction {{relationship: '{rel}', old: {_KEY.format(n="prev")},
    new: {_KEY.format(n=target)}, source_file: $source_file, corrected_at: datetime()}})
  DELETE stale
}}
"""


def default_params(row: FeedRow) -> dict[str, Any]:
    return row.params()


@dataclass(frozen=True)
class Feed:
    name: str
    model: type[FeedRow]
    rank: int  # load order: lower first
    cypher: str  # takes $rows (and $county_code); MATCHes only what `refs` guarantees
    description: str
    refs: tuple[Ref, ...] = ()
    to_params: Callable[[FeedRow], dict[str, Any]] = field(default=default_params)
    # The departments whose export this is (DOMAIN.md section 11, named in `description`):
    # the only partners that may submit it through the API. None: the county's operator only.
    owners: tuple[str, ...] = ()
    note: str = ""  # a paragraph docs/feeds.md prints after the feed's columns
    # Each row also carries its line in the file as source_line (the cypher stores it, with
    # $source_file, where a record must say where it came from: verification facts).
    provenance: bool = False

    @property
    def required_columns(self) -> list[str]:
        return [name for name, f in self.model.model_fields.items() if f.is_required()]

    @property
    def columns(self) -> list[str]:
        return list(self.model.model_fields)
