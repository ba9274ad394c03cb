"""The keys a load's rows name, by the kind detection's incremental scope follows from them
(detection/scope.py): taken from the rows as validated, so normalised as they are stored."""

from __future__ import annotations

from typing import Any

# A row's field -> the kind of key it is.
KEY_FIELDS = {
    "id_number": "persons",
    "relative_id_number": "persons",
    "applicant_id_number": "persons",
    "holder_id_number": "persons",
    "covered_id_numbers": "persons",
    "household_id": "households",
    "enrollment_id": "enrollments",
    "case_id": "cases",
    "account_number": "accounts",
    "phone": "phones",
    "staff_id": "staff",
}
KINDS = tuple(dict.fromkeys(KEY_FIELDS.values()))


def add_keys(keys: dict[str, set[str]], params: dict[str, Any]) -> None:
    """Every key one validated row names, added to ``keys``."""
    for name, kind in KEY_FIELDS.items():
        value = params.get(name)
        if value is None:
            continue
        keys.setdefault(kind, set()).update(value if isinstance(value, list) else [value])


def as_lists(keys: dict[str, set[str]]) -> dict[str, list[str]]:
    return {kind: sorted(keys.get(kind, ())) for kind in KINDS}
