"""The register as identity resolution reads it: one row per person, names normalised.

Names are compared after Traditional->Simplified conversion (OpenCC), as Han characters and
as pinyin; the row also carries the ID number's region and sequence digits, the birth date
in the parts blocking rules use, and the phones, accounts, addresses and households the
person has. The DuckDB statements here shape the table once it is loaded: rare keys, and
identifiers held by so many households that they identify nobody.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any

import opencc

from domain.names import latin_name

_T2S = opencc.OpenCC("t2s")
# Surnames standard in simplified writing that t2s folds into another: 於 is a surname of its
# own, not the traditional form of 于 (於红 and 于红 are two names).
_KEPT_SURNAMES = ("於",)


@lru_cache(maxsize=1_000_000)  # a county's half a million persons share far fewer names
def _written(name: str) -> str:
    """The name as written (NFKC, no spaces, lower case), before conversion to simplified."""
    return "".join(unicodedata.normalize("NFKC", name or "").lower().split())


@lru_cache(maxsize=1_000_000)
def _name_parts(name: str) -> tuple[str, str, str, str]:
    """Normalised name (NFKC, simplified, no spaces, lower case), its Latin key, and the
    first and last parts (surname and last given syllable of a Han name; first and last
    word of a Latin one)."""
    written = unicodedata.normalize("NFKC", name or "").strip()
    text = _T2S.convert(written).lower()
    if written[:1] in _KEPT_SURNAMES:
        text = written[0] + text[1:]
    compact = "".join(text.split())
    latin = latin_name(compact)
    if latin:
        syllables = [s for s in latin.split() if len(s) <= 6][: len(compact)]
        return (
            compact,
            "".join(syllables),
            syllables[0] if syllables else "",
            syllables[-1] if syllables else "",
        )
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split()]
    return compact, "".join(words), words[0] if words else "", words[-1] if words else ""


def name_key(name: str) -> str:
    """The name as compared (normalised, simplified): what its frequency is counted by."""
    return _name_parts(name)[0]


def person_row(r: dict[str, Any]) -> dict[str, Any]:
    """A register row (see PERSONS) as the model's input."""
    name, latin, first, last = _name_parts(r.get("name") or "")
    born = r.get("birth")
    born = date(born.year, born.month, born.day) if born is not None else None
    number = r["id"]
    first17 = _first17(number)
    return {
        "unique_id": number,
        "name": name or None,
        "name_written": _written(r.get("name") or "") or None,
        "latin": latin or None,
        "name_first": first or None,
        "name_last": last or None,
        "birth_date": born.isoformat() if born else None,
        "birth_year": born.year if born else None,
        "birth_md": born.strftime("%m-%d") if born else None,
        # year and month; year and day of the month: where one slipped, the other holds
        "birth_ym": born.strftime("%Y-%m") if born else None,
        "birth_yd": born.strftime("%Y-*-%d") if born else None,
        "id17": first17,
        "id17_region_seq": first17[:6] + first17[14:17] if first17 else None,
        "sex": r.get("sex") or None,
        "nb_first": (first or None) if born is None else None,
        "nb_last": (last or None) if born is None else None,
        "phones": sorted(set(r.get("phones") or ())),
        "accounts": sorted(set(r.get("accounts") or ())),
        "addresses": sorted(set(r.get("addresses") or ())),
        "address1": min(r.get("addresses") or [None], key=lambda a: a or ""),
        "address_words": _address_words(r.get("addresses") or ()),
        "households": sorted(set(r.get("households") or ())),
    }


def _first17(number: str) -> str | None:
    """The first 17 digits of a resident number; of a 15-digit one kept as it was written (a
    department's old record), those of its 18-digit form (GB 11643: "19" inserted)."""
    if len(number) == 18:
        return number[:17]
    if len(number) == 15 and number.isdigit():
        return number[:6] + "19" + number[6:]
    return None


def _address_words(addresses: Any) -> list[str]:
    """The words of addresses written in words ("1 kriewaldt circuit torquay 3084"): one
    mistyped word leaves the others to block on. A Chinese address is one unbroken string,
    compared whole (shared address)."""
    words = {w for a in addresses if a for w in unicodedata.normalize("NFKC", a).lower().split()}
    return sorted(words) if len(words) > 1 else []


RARE_KEY_MAX = 30
RARE_BIRTH_MAX = 8  # a county has about 18 persons per birth date; an outside list, one or two
# A phone, account or address held in more households than this belongs to an office, a
# landlord or a hostel (a village office's phone given by a dozen applicants), not to one
# person: it is left out of the comparisons, as a common name weighs less.
SHARED_BY_MAX_HOUSEHOLDS = 5

RARE_KEYS_SQL = """
CREATE OR REPLACE TABLE persons AS
SELECT *,
  CASE WHEN count(*) OVER (PARTITION BY name_first) <= ? THEN name_first END AS first_rare,
  CASE WHEN count(*) OVER (PARTITION BY name_last) <= ? THEN name_last END AS last_rare,
  CASE WHEN count(*) OVER (PARTITION BY birth_date) <= ? THEN birth_date END AS birth_rare
FROM persons
"""
# An address word held by more than ? persons (a street number, "street", a town) proposes no pair.
COMMON_WORDS_SQL = """
SET VARIABLE common_words = (SELECT coalesce(list(w), []) FROM (
  SELECT w FROM (SELECT unnest(address_words) AS w FROM persons) GROUP BY w HAVING count(*) > ?))
"""
DROP_COMMON_WORDS_SQL = (
    "UPDATE persons SET address_words = "
    "list_filter(address_words, lambda w: NOT list_contains(getvariable('common_words'), w))"
)

# A list column's values held in more than ? households, then the column without them.
HUBS_SQL = """
SET VARIABLE hubs = (SELECT coalesce(list(v), []) FROM (
  SELECT v FROM (SELECT v, unnest(households) AS h
                 FROM (SELECT unnest({column}) AS v, households FROM persons))
  GROUP BY v HAVING count(DISTINCT h) > ?))
"""
DROP_HUBS_SQL = (
    "UPDATE persons SET {column} = list_filter({column}, lambda v: NOT list_contains(getvariable('hubs'), v))"
)

# Pairs of persons with the same value of a column (a training block), from the block sizes.
BLOCK_PAIRS_SQL = """
SELECT coalesce(sum(n * (n - 1) // 2), 0)::BIGINT
FROM (SELECT count(*) AS n FROM persons WHERE {column} IS NOT NULL GROUP BY {column})
"""

# Pairs of namesakes (the same name in pinyin), and of those the pairs of different sexes.
NAMESAKE_SEXES_SQL = """
SELECT coalesce(sum(n * (n - 1) // 2), 0)::BIGINT, coalesce(sum(m * f), 0)::BIGINT FROM (
  SELECT count(*) AS n, count(*) FILTER (sex = 'M') AS m, count(*) FILTER (sex = 'F') AS f
  FROM persons WHERE latin IS NOT NULL AND sex IS NOT NULL GROUP BY latin)
"""

# Pairs of namesakes (the same name once simplified), and of those the pairs whose names are
# written in other characters (one traditional, one simplified).
NAMESAKE_WRITINGS_SQL = """
SELECT coalesce(sum(n * (n - 1) // 2), 0)::BIGINT, coalesce(sum(n * (n - 1) // 2 - alike), 0)::BIGINT
FROM (SELECT name, sum(k) AS n, sum(k * (k - 1) // 2) AS alike
      FROM (SELECT name, name_written, count(*) AS k FROM persons WHERE name IS NOT NULL
            GROUP BY name, name_written)
      GROUP BY name)
"""

# Pairs of persons in different households sharing at least one value of a list column.
SHARED_PAIRS_SQL = """
WITH x AS (SELECT unique_id, households, unnest({column}) AS v FROM persons)
SELECT count(*) FROM (
  SELECT DISTINCT a.unique_id, b.unique_id FROM x AS a JOIN x AS b ON a.v = b.v AND a.unique_id < b.unique_id
  WHERE len(list_intersect(a.households, b.households)) = 0)
"""

# The model's person table: each column of person_row and its DuckDB type.
REGISTER_COLUMNS = {
    "unique_id": "VARCHAR",
    "name": "VARCHAR",
    "name_written": "VARCHAR",
    "latin": "VARCHAR",
    "name_first": "VARCHAR",
    "name_last": "VARCHAR",
    "birth_date": "VARCHAR",
    "birth_year": "INTEGER",
    "birth_md": "VARCHAR",
    "birth_ym": "VARCHAR",
    "birth_yd": "VARCHAR",
    "id17": "VARCHAR",
    "id17_region_seq": "VARCHAR",
    "sex": "VARCHAR",
    "nb_first": "VARCHAR",
    "nb_last": "VARCHAR",
    "phones": "VARCHAR[]",
    "accounts": "VARCHAR[]",
    "addresses": "VARCHAR[]",
    "address1": "VARCHAR",
    "address_words": "VARCHAR[]",
    "households": "VARCHAR[]",
}
DUCK_COLUMNS = "{" + ", ".join(f"{c}: '{t}'" for c, t in REGISTER_COLUMNS.items()) + "}"
