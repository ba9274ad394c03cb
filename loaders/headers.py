"""Header aliases: the column names departments' systems export (身份证号, 姓名, 开户行 …) mapped
to the feed formats' columns, from a TOML file users extend (rules/feed-headers.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from loaders.feeds import FEEDS
from loaders.reading import normalise_header


class HeaderAliasError(ValueError):
    """The alias file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class HeaderAliases:
    common: dict[str, str]  # normalised header -> column
    by_feed: dict[str, dict[str, str]]

    def for_feed(self, feed: str) -> dict[str, str]:
        return self.common | self.by_feed.get(feed, {})


def _table(path: Path, where: str, entries: object, allowed: set[str]) -> dict[str, str]:
    if not isinstance(entries, dict):
        raise HeaderAliasError(f"{path}: [{where}] must be a table of column = [aliases]")
    out: dict[str, str] = {}
    for column, aliases in entries.items():
        if column not in allowed:
            raise HeaderAliasError(f"{path}: [{where}] {column}: no feed has that column")
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise HeaderAliasError(f"{path}: [{where}] {column}: aliases must be a list of names")
        for alias in aliases:
            out[normalise_header(alias)] = column
    return out


def read_header_aliases(path: Path) -> HeaderAliases:
    if not path.exists():
        return HeaderAliases({}, {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HeaderAliasError(f"{path}: not valid TOML: {exc}") from None
    every_column = {c for feed in FEEDS.values() for c in feed.columns}
    common = _table(path, "common", data.get("common", {}), every_column)
    by_feed: dict[str, dict[str, str]] = {}
    for feed, entries in (data.get("feeds") or {}).items():
        if feed not in FEEDS:
            raise HeaderAliasError(f"{path}: [feeds.{feed}]: no such feed; known: {', '.join(sorted(FEEDS))}")
        by_feed[feed] = _table(path, f"feeds.{feed}", entries, set(FEEDS[feed].columns))
    return HeaderAliases(common, by_feed)
