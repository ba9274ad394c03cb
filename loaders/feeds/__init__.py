"""Every feed the loader understands: its row model, its Cypher and what it references.

A feed is picked by file name: ``persons.csv``, ``persons_GA_2026-11.csv`` and
``persons.jsonl`` are all the population register. Files load in dependency order
(``rank``), whatever order they are given in.
"""

from __future__ import annotations

from pathlib import Path

from loaders.feeds.base import Feed
from loaders.feeds.benefits import BENEFIT_FEEDS
from loaders.feeds.credit import CREDIT_FEEDS
from loaders.feeds.facts import FACT_FEEDS
from loaders.feeds.funds import FUND_FEEDS
from loaders.feeds.registers import REGISTER_FEEDS

FEEDS: dict[str, Feed] = {
    f.name: f for f in (*REGISTER_FEEDS, *BENEFIT_FEEDS, *FACT_FEEDS, *FUND_FEEDS, *CREDIT_FEEDS)
}


class UnknownFeed(ValueError):
    pass


def feed_for(path: Path, explicit: str | None = None) -> Feed:
    if explicit is not None:
        try:
            return FEEDS[explicit]
        except KeyError:
            raise UnknownFeed(f"unknown feed {explicit!r}; known: {', '.join(sorted(FEEDS))}") from None
    stem = path.name.split(".")[0].lower()
    for name in sorted(FEEDS, key=len, reverse=True):
        if stem == name or stem.startswith((name + "_", name + "-")):
            return FEEDS[name]
    raise UnknownFeed(
        f"{path}: cannot tell which feed this is from its name; name it after a feed "
        f"({', '.join(sorted(FEEDS))}), e.g. persons_GA.csv, or pass --feed"
    )
