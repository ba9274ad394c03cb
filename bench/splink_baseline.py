"""Splink on the county's person records, for the DUP_IDENTITY comparison in bench/detect.

Runs in its own virtualenv (bench/.venv-splink): python splink_baseline.py PERSONS.jsonl OUT.jsonl
Writes the pairs Splink predicts at match probability >= 0.95, one JSON object per line, and
prints the seconds it took. Settings follow Splink's own examples for person deduplication,
with the same blocking rules as reliefgraph's identity detector.
"""

from __future__ import annotations

import json
import sys
import time

import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def main() -> None:
    persons, out = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    db_api = DuckDBAPI()
    db_api.duckdb_con.execute(f"CREATE TABLE persons AS SELECT * REPLACE (CAST(birth_date AS VARCHAR) AS birth_date) FROM read_json_auto('{persons}')")
    df = db_api.register("persons")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ExactMatch("name").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("pinyin", [0.9]),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("id_region_seq", [1, 2]),
            cl.ArrayIntersectAtSizes("phones", [1]),
            cl.ArrayIntersectAtSizes("accounts", [1]),
            cl.ArrayIntersectAtSizes("addresses", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("pinyin", "birth_date"),
            block_on("phone1"),
            block_on("account1"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(df, settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "birth_date", "sex")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("pinyin", "birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone1"))
    predictions = linker.inference.predict(threshold_match_probability=0.95)
    rows = db_api.duckdb_con.execute(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {predictions.physical_name}").fetchall()
    with open(out, "w", encoding="utf-8") as fh:
        for left, right, probability in rows:
            fh.write(json.dumps({"a": left, "b": right, "p": probability}) + "\n")
    print(f"{time.perf_counter() - started:.2f}")


if __name__ == "__main__":
    main()
