"""What a feed is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loaders.references import Ref
from schema.feeds.common import FeedRow


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

    @property
    def required_columns(self) -> list[str]:
        return [name for name, f in self.model.model_fields.items() if f.is_required()]

    @property
    def columns(self) -> list[str]:
        return list(self.model.model_fields)
