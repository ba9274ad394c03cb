"""A Fellegi–Sunter model for "the same person under two ID numbers".

Each candidate pair is compared field by field into discrete levels (name exact, same
pinyin, similar, different; birth date exact, close, different; …). The u-probabilities
(how often a level occurs between two different people) are measured on random pairs of
the county's persons; the m-probabilities (how often it occurs for the same person) and
the share of matches are fitted by expectation–maximisation on the candidate pairs. A
pair's score is its posterior match probability; each field's weight is log2(m/u), the
per-field evidence an investigator reads.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz.distance import JaroWinkler

from schema.names import latin_name

FIELDS = ("name", "birth_date", "sex", "id_number", "phone", "account", "address")

LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("exact", "same_pinyin", "similar", "different"),
    "birth_date": ("exact", "close", "different", "missing"),
    "sex": ("same", "different", "missing"),
    "id_number": ("one_digit", "two_digits", "different"),
    # "Both have one, different" is not used: having a phone or an account at all goes with
    # receiving benefits, so it would count the same thing twice.
    "phone": ("shared", "not_shared"),
    "account": ("shared", "not_shared"),
    "address": ("shared", "same_village", "not_shared"),
}

# Starting m-probabilities: what a duplicate registration usually looks like.
M_START: dict[str, dict[str, float]] = {
    "name": {"exact": 0.85, "same_pinyin": 0.07, "similar": 0.05, "different": 0.03},
    "birth_date": {"exact": 0.85, "close": 0.1, "different": 0.03, "missing": 0.02},
    "sex": {"same": 0.95, "different": 0.03, "missing": 0.02},
    "id_number": {"one_digit": 0.6, "two_digits": 0.2, "different": 0.2},
    "phone": {"shared": 0.5, "not_shared": 0.5},
    "account": {"shared": 0.3, "not_shared": 0.7},
    "address": {"shared": 0.3, "same_village": 0.2, "not_shared": 0.5},
}


# Not left to EM: what two registrations of one person look like in name, birth date and
# sex is known from how duplicates arise (typed again from the same documents). Left to EM,
# the blocking sessions learn the wrong class: homophone names of a boy and a girl born the
# same day, or unrelated people sharing a phone and an address.
FIXED_M: dict[str, dict[str, float]] = {
    # A wholly different name is almost never a re-typed registration (and a ring's members
    # share phones and addresses by design: that must not make them one person).
    "name": {"exact": 0.87, "same_pinyin": 0.075, "similar": 0.05, "different": 0.005},
    "birth_date": {"exact": 0.85, "close": 0.1, "different": 0.03, "missing": 0.02},
    "sex": {"same": 0.97, "different": 0.02, "missing": 0.01},
}


def pinyin_key(name: str) -> str:
    latin = latin_name(name)
    return (latin.split()[-1] if latin else "".join(name.lower().split()))


def _name_level(a: dict[str, Any], b: dict[str, Any]) -> str:
    if a["name"] == b["name"]:
        return "exact"
    pa, pb = a["pinyin"], b["pinyin"]
    if pa == pb:
        return "same_pinyin"
    return "similar" if JaroWinkler.similarity(pa, pb) >= 0.9 else "different"


def _birth_level(a: dict[str, Any], b: dict[str, Any]) -> str:
    x, y = a["birth"], b["birth"]
    if x is None or y is None:
        return "missing"
    if x == y:
        return "exact"
    digits = sum(c != d for c, d in zip(x.strftime("%Y%m%d"), y.strftime("%Y%m%d")))
    swapped = x.month == y.day and x.day == y.month and x.year == y.year
    return "close" if digits == 1 or swapped or abs((x - y).days) <= 31 else "different"


def _id_level(a: str, b: str) -> str:
    """Region and sequence digits only: the birth digits repeat the birth date (compared above)."""
    if len(a) != 18 or len(b) != 18:
        return "different"
    diff = sum(c != d for c, d in zip(a[:6] + a[14:17], b[:6] + b[14:17]))
    return ("one_digit", "one_digit", "two_digits")[diff] if diff <= 2 else "different"


def _shared(xs: set[str], ys: set[str]) -> str:
    return "shared" if xs & ys else "not_shared"


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, str]:
    """The comparison vector of two person records (see `person_record`)."""
    address = _shared(a["addresses"], b["addresses"])
    if address == "not_shared" and a["villages"] & b["villages"]:
        address = "same_village"
    phone = _shared(a["phones"], b["phones"])
    if a["households"] & b["households"]:
        # Members of one household share its address, and often a phone: no evidence there.
        phone, address = "not_shared", "not_shared"
    return {
        "name": _name_level(a, b),
        "birth_date": _birth_level(a, b),
        "sex": "missing" if not a["sex"] or not b["sex"] else ("same" if a["sex"] == b["sex"] else "different"),
        "id_number": _id_level(a["id"], b["id"]),
        "phone": phone,
        "account": _shared(a["accounts"], b["accounts"]),
        "address": address,
    }


def person_record(row: dict[str, Any]) -> dict[str, Any]:
    """A fetched row in the shape `compare` reads."""
    birth = row.get("birth")
    return {
        "id": row["id"], "name": row["name"] or "", "pinyin": pinyin_key(row["name"] or ""),
        "birth": date(birth.year, birth.month, birth.day) if birth is not None else None,
        "sex": row.get("sex"), "phones": set(row.get("phones") or ()), "accounts": set(row.get("accounts") or ()),
        "addresses": set(row.get("addresses") or ()), "villages": set(row.get("villages") or ()),
        "households": set(row.get("households") or ()),
    }


@dataclass
class IdentityModel:
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    match_share: float
    fitted_on: dict[str, int] = field(default_factory=dict)

    def weights(self, vector: dict[str, str]) -> dict[str, float]:
        """log2(m/u) per field: positive for evidence of the same person."""
        return {f: math.log2(self.m[f][level] / self.u[f][level]) for f, level in vector.items()}

    def probability(self, vector: dict[str, str]) -> float:
        prior = math.log2(self.match_share / (1 - self.match_share))
        total = prior + sum(self.weights(vector).values())
        return 1 / (1 + 2 ** -total)

    def as_dict(self) -> dict[str, Any]:
        return {"m": self.m, "u": self.u, "match_share": self.match_share, "fitted_on": self.fitted_on}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IdentityModel:
        return cls(data["m"], data["u"], data["match_share"], data.get("fitted_on", {}))


def _frequencies(vectors: list[dict[str, str]], weights: list[float] | None = None,
                 fields: tuple[str, ...] = FIELDS) -> dict[str, dict[str, float]]:
    """Level frequencies per field, with add-half smoothing so no level has probability 0."""
    weights = weights or [1.0] * len(vectors)
    out = {}
    for f in fields:
        counts = {level: 0.5 for level in LEVELS[f]}
        for v, w in zip(vectors, weights):
            counts[v[f]] += w
        total = sum(counts.values())
        out[f] = {level: c / total for level, c in counts.items()}
    return out


def estimate_u(sample: list[dict[str, Any]], pairs: int, seed: int = 20261129) -> dict[str, dict[str, float]]:
    """u-probabilities from random pairs of a sample of persons (deterministic for a sample)."""
    rng = random.Random(seed)
    if len(sample) < 2:
        raise ValueError("too few persons to estimate the identity model")
    vectors = []
    for _ in range(pairs):
        a, b = rng.sample(sample, 2)
        vectors.append(compare(a, b))
    return _frequencies(vectors)


def _em_session(vectors: list[dict[str, str]], fields: tuple[str, ...], fixed: tuple[str, ...],
                u: dict[str, dict[str, float]], iterations: int) -> tuple[dict[str, dict[str, float]], float]:
    """EM over the fields a blocking rule did not fix; returns their m and the match share.

    `fixed` fields (FIXED_M, unless blocked on) weigh in the E-step but are not re-estimated."""
    m = {f: dict(M_START[f]) for f in fields} | {f: dict(FIXED_M[f]) for f in fixed}
    used = fields + fixed
    share = 0.1
    for _ in range(iterations):
        posteriors = []
        for v in vectors:
            bits = math.log2(share / (1 - share)) + sum(math.log2(m[f][v[f]] / u[f][v[f]]) for f in used)
            posteriors.append(1 / (1 + 2 ** -bits))
        share = min(max(sum(posteriors) / len(posteriors), 1e-6), 0.5)
        m = _frequencies(vectors, posteriors, fields) | {f: dict(FIXED_M[f]) for f in fixed}
    return {f: m[f] for f in fields}, share


def fit(sessions: dict[str, tuple[tuple[str, ...], list[dict[str, str]]]], u: dict[str, dict[str, float]],
        persons: int, iterations: int = 25) -> IdentityModel:
    """m-probabilities by EM, one session per blocking rule (as Splink does).

    A blocking rule fixes the fields it blocks on (every pair agrees there), so each session
    estimates m only for the other fields; a field's m is the mean over the sessions that
    estimated it. The returned match share is over all pairs of the county's persons, so a
    pair's score weighs every field against the chance that two random residents are one
    person (Splink's `probability_two_random_records_match`).
    """
    estimates: dict[str, list[dict[str, float]]] = {f: [] for f in FIELDS}
    expected = 0.0
    pairs = 0
    for blocked, vectors in sessions.values():
        if len(vectors) < 5:
            continue
        free = tuple(f for f in FIELDS if f not in blocked and f not in FIXED_M)
        fixed = tuple(f for f in FIXED_M if f not in blocked)
        m, share = _em_session(vectors, free, fixed, u, iterations)
        for f in free:
            estimates[f].append(m[f])
        expected = max(expected, share * len(vectors))
        pairs += len(vectors)
    m_final = {f: dict(levels) for f, levels in FIXED_M.items()}
    for f in FIELDS:
        if f in FIXED_M:
            continue
        found = estimates[f]
        m_final[f] = {level: sum(e[level] for e in found) / len(found) for level in LEVELS[f]} if found \
            else dict(M_START[f])
    all_pairs = max(persons * (persons - 1) // 2, 1)
    return IdentityModel(m_final, u, min(max(expected, 1.0) / all_pairs, 0.5),
                         {"candidate_pairs": pairs, "persons": persons})
