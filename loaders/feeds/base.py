"""What a feed is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


# A grant's grantee: the household the row names, else the person (a person grant).
GRANTEE = (
    "OPTIONAL MATCH (h:Household {household_id: row.household_id})\n"
    "OPTIONAL MATCH (p:Person {id_number: row.id_number})",
    "coalesce(h, p)",
)


def link_where_held(entity: str, links: Sequence[tuple[str, str, tuple[str, str]]]) -> str:
    """Cypher linking ``entity`` to what its ``row`` names, where the graph holds it: each
    link is (relationship, variable, (OPTIONAL MATCH lines, the expression the variable is)).
    Each relationship is the only one of its type (replace_single); a row naming nothing the
    graph holds keeps no link. Names come from the feed definitions, never from input."""
    matches = "\n".join(match for _, _, (match, _) in links)
    bound = ", ".join(f"{expr} AS {var}" for _, var, (_, expr) in links)
    replaced = "".join(replace_single(entity, rel, var) for rel, var, _ in links)
    merged = "".join(
        f"FOREACH (x IN [y IN [{var}] WHERE y IS NOT NULL] | MERGE ({entity})-[:{rel}]->(x))\n"
        for rel, var, _ in links
    )
    return f"WITH {entity}, row\n{matches}\nWITH {entity}, row, {bound}\n{replaced}{merged}"


def link_account(entity: str, rel: str) -> str:
    """Cypher making the account the row names (created if new) the one ``entity`` is linked
    to by ``rel``; a row naming none removes nothing (replace_single leaves a null target)."""
    return (
        f"""WITH {entity}, row
FOREACH (n IN CASE WHEN row.account_number IS NULL THEN [] ELSE [row.account_number] END |
  MERGE (:BankAccount {{number: n}}))
WITH {entity}, row
OPTIONAL MATCH (acc:BankAccount {{number: row.account_number}})
"""
        + replace_single(entity, rel, "acc")
        + f"FOREACH (a IN [x IN [acc] WHERE x IS NOT NULL] | MERGE ({entity})-[:{rel}]->(a))\n"
    )


def keyed_params(key: str, *fields: str) -> Callable[[FeedRow], dict[str, Any]]:
    """Row parameters with ``key`` made of ``fields`` joined by '-' (a budget line's
    programme and year, say): for records a department's export gives no id of their own."""

    def params(row: FeedRow) -> dict[str, Any]:
        values = row.params()
        values[key] = "-".join(str(values[f]) for f in fields)
        return values

    return params


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
