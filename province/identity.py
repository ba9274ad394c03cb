"""DUP_IDENTITY across counties: one person under two ID numbers, in two counties' registers.

The model is the in-county one (detection/identity_linkage.py): its comparisons, blocking
rules and never-one-person rules, trained the way in-county detection trains it (the prior
from deterministic rules and then measured among the pairs found, u counted or sampled, m by
EM where a block allows, floored and fixed) by the very same code, over the counties'
register together. Scoring, the part that grows with the pairs, runs on Splink's Spark
backend with the trained parameters; only pairs whose two records are in different counties
are kept, and the prior is that of pairs across counties (cross_county_prior). Blocks whose
pairs grow with the square of their size are spread by Spark's own
means: Splink salts the blocking rules and repartitions after blocking.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from detection.identity_linkage import (
    NEVER_ONE_PERSON,
    PARTICULARS,
    PRIOR_REGISTER_MIN,
    IdentityLinker,
    level_label,
    settings,
)
from detection.identity_register import (
    RARE_BIRTH_MAX,
    RARE_KEY_MAX,
    REGISTER_COLUMNS,
    SHARED_BY_MAX_HOUSEHOLDS,
    person_row,
)

log = logging.getLogger(__name__)

# One row per person and county: the register as identity resolution reads it (the columns
# of detection/identity_register.person_row), households and addresses named with their county.
REGISTER_SQL = """
WITH current AS (
  SELECT county, person, concat(county, ':', household) AS household, household AS local_household
  FROM memberships WHERE until IS NULL
),
lived AS (
  SELECT c.county, c.person, concat(a.county, ':', a.address) AS address
  FROM current c JOIN addresses a ON a.county = c.county AND a.household = c.local_household
  UNION
  SELECT county, person, concat(county, ':', address) AS address FROM addresses WHERE person IS NOT NULL
)
SELECT p.county, p.person, p.name, p.birth_date, p.sex,
  coalesce((SELECT collect_set(x.number) FROM phones x WHERE x.county = p.county AND x.person = p.person),
           array()) AS phones,
  coalesce((SELECT collect_set(x.number) FROM accounts x WHERE x.county = p.county AND x.person = p.person),
           array()) AS accounts,
  coalesce((SELECT collect_set(x.household) FROM current x WHERE x.county = p.county AND x.person = p.person),
           array()) AS households,
  coalesce((SELECT collect_set(x.address) FROM lived x WHERE x.county = p.county AND x.person = p.person),
           array()) AS addresses
FROM persons p
"""

_SPARK_TYPES = {"VARCHAR": "string", "INTEGER": "int", "VARCHAR[]": "array<string>"}
_REGISTER_SCHEMA = "county string, person string, " + ", ".join(
    f"{column} {_SPARK_TYPES[duck]}" for column, duck in REGISTER_COLUMNS.items()
)


def _model_row(r: dict[str, Any]) -> dict[str, Any]:
    """A register row in the model's columns (person_row), keyed by county and number."""
    born = r.get("birth_date")
    row = person_row(
        {
            "id": r["person"],
            "name": r.get("name"),
            "birth": date.fromisoformat(born[:10]) if born else None,
            "sex": r.get("sex"),
            "phones": list(r.get("phones") or ()),
            "accounts": list(r.get("accounts") or ()),
            "addresses": list(r.get("addresses") or ()),
            "households": list(r.get("households") or ()),
        }
    )
    return {"county": r["county"], "person": r["person"], **row, "unique_id": f"{r['county']}:{r['person']}"}


def register(spark: Any) -> Any:
    """The model's register table, built on the executors (names normalised, pinyin), then
    shaped over the whole register as in-county: rare keys, common address words and hub
    identifiers (held by too many households) left out."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    raw = spark.sql(REGISTER_SQL)
    columns = [c.strip().split(" ", 1)[0] for c in _REGISTER_SCHEMA.split(",")]
    rows = spark.createDataFrame(
        raw.rdd.map(lambda r: tuple(_model_row(r.asDict()).get(c) for c in columns)), _REGISTER_SCHEMA
    ).cache()  # read by each count below: names are converted once
    for column, limit in (
        ("name_first", RARE_KEY_MAX),
        ("name_last", RARE_KEY_MAX),
        ("birth_date", RARE_BIRTH_MAX),
    ):
        alias = {"name_first": "first_rare", "name_last": "last_rare", "birth_date": "birth_rare"}[column]
        rows = rows.withColumn(
            alias,
            F.when(F.count(F.lit(1)).over(Window.partitionBy(column)) <= limit, F.col(column)),
        )
    common = [
        r["w"]
        for r in rows.select(F.explode("address_words").alias("w"))
        .groupBy("w")
        .count()
        .where(F.col("count") > RARE_KEY_MAX)
        .collect()
    ]
    if common:
        rows = rows.withColumn("address_words", F.array_except("address_words", F.array(*map(F.lit, common))))
    for column in ("phones", "accounts", "addresses"):
        hubs = [
            r["v"]
            for r in rows.select(F.explode(column).alias("v"), "households")
            .select("v", F.explode("households").alias("h"))
            .groupBy("v")
            .agg(F.countDistinct("h").alias("n"))
            .where(F.col("n") > SHARED_BY_MAX_HOUSEHOLDS)
            .collect()
        ]
        if hubs:
            rows = rows.withColumn(column, F.array_except(column, F.array(*map(F.lit, hubs))))
    return rows


# DuckDB's list functions in the model's SQL, as Spark names them.
_SPARK_NAMES = ((re.compile(r"\blist_intersect\("), "array_intersect("), (re.compile(r"\blen\("), "size("))


def spark_sql(condition: str) -> str:
    for pattern, name in _SPARK_NAMES:
        condition = pattern.sub(name, condition)
    return condition


def spark_model(trained: dict[str, Any], salting_partitions: int = 1) -> dict[str, Any]:
    """The settings of identity_linkage.settings() for Spark, with the trained parameters."""
    model = settings().create_settings_dict("spark")
    model["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    trained_by_name = {c["output_column_name"]: c for c in trained["comparisons"]}
    for comparison in model["comparisons"]:
        source = trained_by_name[comparison["output_column_name"]]
        for level, fitted in zip(comparison["comparison_levels"], source["comparison_levels"], strict=True):
            level["sql_condition"] = spark_sql(level["sql_condition"])
            for key in ("m_probability", "u_probability", "tf_adjustment_column", "tf_adjustment_weight"):
                if fitted.get(key) is not None:
                    level[key] = fitted[key]
    for rule in model["blocking_rules_to_generate_predictions"]:
        rule["blocking_rule"] = spark_sql(rule["blocking_rule"])
        if salting_partitions > 1:
            rule["salting_partitions"] = salting_partitions
    model["additional_columns_to_retain"] = [
        *model.get("additional_columns_to_retain", []),
        "county",
        "person",
    ]
    return model


@dataclass
class CrossPair:
    a: tuple[str, str]  # (county, ID number)
    b: tuple[str, str]
    probability: float
    weights: dict[str, float]
    levels: dict[str, tuple[str, str]]  # per comparison: its level in our words (zh, en)


def train(rows: list[dict[str, Any]], threshold: float, particulars_min_bits: float) -> dict[str, Any] | None:
    """The in-county model, trained by the in-county code over the register rows (None: too few),
    with the prior of the pairs the job keeps: those of different counties."""
    seen: set[str] = set()
    unique = []
    county_of: dict[str, str] = {}
    for r in rows:  # one record per number: a person in two counties' registers is one record here
        if r["person"] not in seen:
            seen.add(r["person"])
            county_of[r["person"]] = r["county"]
            unique.append(
                {k: v for k, v in r.items() if k not in ("county", "person")} | {"unique_id": r["person"]}
            )
    if len(unique) < 50:
        return None
    linker = IdentityLinker(unique)
    return cross_county_prior(linker.train(threshold, particulars_min_bits), linker, county_of)


def cross_county_prior(
    model: dict[str, Any], linker: IdentityLinker, county_of: dict[str, str]
) -> dict[str, Any]:
    """The prior as Splink counts it for a job linking across datasets (link_only): among pairs
    of different counties. Most second registrations are made in one county, so a pair across
    counties is likelier two persons than a pair at random: the in-county estimate is scaled by
    the deterministic rules' pairs across counties, as a share of theirs, against the share of
    all pairs that cross counties (at least one pair counted, as the in-county counts do)."""
    sizes = Counter(county_of.values())
    everyone = len(county_of) * (len(county_of) - 1) / 2
    across = everyone - sum(n * (n - 1) / 2 for n in sizes.values())
    pairs = linker.deterministic_pairs()
    if not across or not pairs:
        return model
    crossing = sum(1 for a, b in pairs if county_of.get(a) != county_of.get(b))
    factor = (max(crossing, 1) / len(pairs)) / (across / everyone)
    prior = model["probability_two_random_records_match"]
    model["probability_two_random_records_match"] = min(prior * factor, 0.5)
    log.info(
        "province identity model: %d of %d deterministic pairs cross counties (%.1f%% of all pairs do); "
        "prior %.3g -> %.3g",
        crossing,
        len(pairs),
        100 * across / everyone,
        prior,
        model["probability_two_random_records_match"],
    )
    return model


# A sample smaller than this trains a model whose prior the in-county bound would raise
# (detection/identity_linkage.PRIOR_REGISTER_MIN) and whose duplicates are too few to measure it.
MIN_TRAINING_ROWS = PRIOR_REGISTER_MIN


def cross_county_pairs(
    spark: Any,
    threshold: float,
    particulars_min_bits: float | None,
    salting_partitions: int = 1,
    training_rows: int | None = None,
) -> list[CrossPair]:
    """Pairs of persons in different counties, under different numbers, that the model holds
    for one person at or above `threshold`."""
    from pyspark.sql import functions as F
    from splink import Linker
    from splink.backends.spark import SparkAPI

    table = register(spark).cache()
    sample = table if training_rows is None else table.orderBy(F.rand(20261203)).limit(training_rows)
    model = train([r.asDict() for r in sample.collect()], threshold, particulars_min_bits or 0.0)
    if model is None:
        return []
    # On one machine, persisting beats writing checkpoints to disk; a cluster checkpoints.
    local = str(spark.sparkContext.master).startswith("local")
    api = SparkAPI(
        spark_session=spark,
        repartition_after_blocking=True,
        break_lineage_method="persist" if local else "checkpoint",
    )
    linker = Linker(api.register(table), spark_model(model, salting_partitions), log_level=None)
    predicted = linker.inference.predict(threshold_match_probability=threshold).as_spark_dataframe()
    never = " ".join(
        f"WHEN coalesce({spark_sql(rule)}, false) THEN 'never'" for rule in NEVER_ONE_PERSON.values()
    )
    kept = predicted.where("county_l <> county_r AND person_l <> person_r").where(
        F.expr(f"CASE {never} ELSE '' END") == ""
    )
    out = []
    for r in kept.collect():
        d = r.asDict()
        weights = {
            k[3:]: float(v)
            for k, v in d.items()
            if k.startswith("mw_") and not k.startswith("mw_tf_adj_") and v is not None
        }
        for k, v in d.items():
            if k.startswith("mw_tf_adj_") and v is not None and k[10:] in weights:
                weights[k[10:]] += float(v)
        if (
            particulars_min_bits is not None
            and sum(weights.get(f, 0.0) for f in PARTICULARS) < particulars_min_bits
        ):
            continue
        levels = {k[6:]: level_label(k[6:], str(v)) for k, v in d.items() if k.startswith("gamma_")}
        a, b = sorted([(d["county_l"], d["person_l"]), (d["county_r"], d["person_r"])])
        out.append(CrossPair(a, b, float(d["match_probability"]), weights, levels))
    table.unpersist()
    return sorted(out, key=lambda p: (p.a, p.b))
