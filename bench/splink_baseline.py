"""Splink configured the way its documentation recommends, for the DUP_IDENTITY comparison.

reliefgraph's identity engine is Splink too (detection/identity_linkage.py); what differs
is the comparisons. This baseline uses Splink's out-of-the-box ones, as its deduplication
tutorial does: one name comparison with term-frequency adjustment (NameComparison), its
DateOfBirthComparison, array intersection for phones, accounts and addresses, exact match
on the ID number's region and sequence digits; the same candidate blocking and the same
deterministic rules for the prior as reliefgraph (so blocking is not what is compared);
u by random sampling; EM blocked on the birth date and on the name, as the tutorial pairs
them. `SETTINGS_TEXT` is printed beside its figures.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.exceptions import SplinkException

from detection.identity_blocking import BLOCKING
from detection.identity_linkage import (
    DETERMINISTIC,
    DETERMINISTIC_FALLBACK,
    DETERMINISTIC_RECALL,
    EM_MAX_PAIRS,
    U_MAX_PAIRS,
    IdentityLinker,
)

NOTES: list[str] = []  # what went wrong in a run, printed beside the figures

SETTINGS_TEXT = (
    "Splink as documented: NameComparison(name, TF) · DateOfBirthComparison(birth_date) · "
    "ExactMatch(ID region+sequence) · ArrayIntersectAtSizes(phones, accounts, addresses, [1]) · "
    "the same blocking rules and prior rules as reliefgraph · u from "
    f"{U_MAX_PAIRS:,} random pairs · EM on block_on(birth_date) and block_on(name)"
)


def _settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("latin").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("id17_region_seq"),
            cl.ArrayIntersectAtSizes("phones", [1]),
            cl.ArrayIntersectAtSizes("accounts", [1]),
            cl.ArrayIntersectAtSizes("addresses", [1]),
        ],
        blocking_rules_to_generate_predictions=list(BLOCKING.values()),
    )


def predict(rows: list[dict[str, Any]], threshold: float) -> set[tuple[str, str]]:
    """Pairs at or above the threshold, over the same person table reliefgraph builds."""
    table = IdentityLinker(rows)  # the same columns; its linker is replaced by the tutorial's
    if table.count < 2:
        return set()
    linker = Linker(table.table, _settings(), log_level=None)
    training = linker.training
    rules = DETERMINISTIC if table._pairs(DETERMINISTIC) else DETERMINISTIC_FALLBACK
    training.estimate_probability_two_random_records_match(rules, recall=DETERMINISTIC_RECALL)
    training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=20261129)
    for block in (block_on("birth_date"), block_on("latin")):
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(block, max_pairs=EM_MAX_PAIRS)
        except (ValueError, SplinkException) as exc:
            # As documented, EM can drive a level's m to zero on a register with few duplicates;
            # the session is dropped (and said so) rather than the comparison.
            NOTES.append(
                f"Splink EM on {block.get_blocking_rule('duckdb').blocking_rule_sql} failed ({exc}); "
                "its parameters stayed at their defaults"
            )
            linker = Linker(table.table, before, log_level=None)
    result = linker.inference.predict(threshold_match_probability=threshold)
    rows_out = table.con.execute(f"SELECT unique_id_l, unique_id_r FROM {result.physical_name}").fetchall()
    return {tuple(sorted(r)) for r in rows_out}  # type: ignore[misc]
