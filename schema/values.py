"""Values as the graph returns them, as the schema's types carry them."""

from __future__ import annotations

from datetime import date
from typing import Any


def to_date(value: Any) -> date | None:
    """A Neo4j date (or None) as a Python date."""
    return None if value is None else date(value.year, value.month, value.day)
