"""Which pairs of persons identity resolution compares: the blocking rules.

A pair is scored only when a rule proposes it, so these decide recall before any model
does (`python -m bench.detect` prints each rule's share of the true pairs). They are
Splink blocking rules over the register table (detection/identity_register.py);
`sharing_a_key` applies the same keys in Python to choose an incremental run's neighbours.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from splink import block_on
from splink.blocking_rule_library import CustomRule

# Blocking rules: a pair is compared when any proposes it. Each catches what the others miss.
# A rule's pairs grow with the square of its blocks: a register twice as dense (the same
# birth years and surnames, twice the persons) gives four times the pairs. So every rule
# keys on enough that its blocks hold a handful of persons in a county of half a million,
# and all together propose about a million pairs there (`python -m bench.scale` prints how
# detection grows; `python -m bench.detect` each rule's share of the true pairs). Rules on a
# name part or a birth date alone would propose tens of millions.
BLOCKING_KEYS = {
    "birth date + first name part": ("birth_date", "name_first"),
    "birth date + last name part": ("birth_date", "name_last"),
    "full name + birth year": ("latin", "birth_year"),
    "full name + birth day": ("latin", "birth_md"),
    # A middle character mistyped and the birth day or month with it: the other part of the
    # date still holds. (On the birth year alone these proposed 650,000 pairs in the county
    # and 10 million at four times its density.)
    "first and last name parts + birth month": ("name_first", "name_last", "birth_ym"),
    "first and last name parts + day of birth": ("name_first", "name_last", "birth_yd"),
    # A name part alone blocks only where it is rare (held by at most RARE_KEY_MAX persons):
    # in an outside list that catches a typo in the other part with the birth date missing;
    # in a Chinese register surnames and given syllables are far too common to block on.
    "rare first name part": ("first_rare",),
    "rare last name part": ("last_rare",),
    "rare birth date": ("birth_rare",),
    # A number retyped with its birth digits wrong (and the birth date read from it), the name
    # written differently too: one name part still holds. (Without a name part these proposed
    # 1.7 million pairs in the county, none of them a true pair there, in the medium counties
    # or in FEBRL, and 27 million at four times its density.)
    "ID region and sequence + birth year + first name part": ("id17_region_seq", "birth_year", "name_first"),
    "ID region and sequence + birth year + last name part": ("id17_region_seq", "birth_year", "name_last"),
    "ID region and sequence + birth day + first name part": ("id17_region_seq", "birth_md", "name_first"),
    "ID region and sequence + birth day + last name part": ("id17_region_seq", "birth_md", "name_last"),
    "shared phone": ("phones",),
    "shared account": ("accounts",),
    "shared address": ("addresses",),
    # An address written in words (an outside list) with one word mistyped still shares its
    # rare words (a street name, a postcode): held by at most RARE_KEY_MAX persons.
    "rare address word": ("address_words",),
}
_LISTS = ("phones", "accounts", "addresses", "address_words")
_REGISTER_WIDE = (
    "first_rare",
    "last_rare",
    "birth_rare",
    "address_words",
)  # known only over the whole register
BLOCKING = {
    name: block_on(*columns, arrays_to_explode=[c for c in columns if c in _LISTS])
    for name, columns in BLOCKING_KEYS.items()
}
# A record without a birth date escapes every rule above but the rare ones: it is compared
# with everyone sharing a name part with it, in either place ("jankus callum" / "callum
# jankus"). Cheap in a register whose numbers give every birth date; in an outside list
# (FEBRL) these found 3% of the true pairs nothing else proposed.
BLOCKING |= {
    f"no birth date ({a}): {mine} name part = {theirs}": CustomRule(f"{a}.nb_{mine} = {b}.name_{theirs}")
    for a, b in (("l", "r"), ("r", "l"))
    for mine in ("first", "last")
    for theirs in ("first", "last")
}


def sharing_a_key(scope: Iterable[dict[str, Any]], others: Iterable[dict[str, Any]]) -> set[str]:
    """Of `others` (person rows), those sharing a blocking key built from the person's own
    particulars with one of `scope`: who an incremental run must score the scope against.
    (Shared phones, accounts and addresses are found in the graph; rare keys need the whole
    register.)"""
    rules = [cols for cols in BLOCKING_KEYS.values() if not set(cols) & {*_LISTS, *_REGISTER_WIDE}]

    def keys(row: dict[str, Any]) -> Iterable[tuple[Any, ...]]:
        for i, cols in enumerate(rules):
            values = tuple(row.get(c) for c in cols)
            if None not in values:
                yield (i, *values)

    wanted = {k for row in scope for k in keys(row)}
    return {row["unique_id"] for row in others if any(k in wanted for k in keys(row))}


def pairs_sql(rule: Any) -> str:
    """The candidate pairs one blocking rule proposes, as plain SQL over `persons`."""
    created = rule.get_blocking_rule("duckdb")
    condition = created.blocking_rule_sql
    explode = getattr(created, "array_columns_to_explode", None) or []
    source = "persons"
    if explode:
        column = explode[0]
        source = (
            f"(SELECT * REPLACE (unnest(CASE WHEN len({column}) = 0 THEN [NULL] ELSE {column} END) "
            f"AS {column}) FROM persons)"
        )
    return (
        f"SELECT DISTINCT l.unique_id, r.unique_id FROM {source} AS l JOIN {source} AS r "
        f"ON {condition} AND l.unique_id < r.unique_id"
    )
