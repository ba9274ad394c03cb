"""Which departments may submit a feed through the API (Feed.owners) is what the feed's
description, and so docs/feeds.md, says: the departments it names, and no others."""

from __future__ import annotations

import re

from loaders.feeds import FEEDS
from loaders.reference import read_reference
from settings import Settings


def test_a_feeds_owners_are_the_departments_its_description_names() -> None:
    codes = set(read_reference(Settings().rules_file).departments)
    for feed in FEEDS.values():
        named = {word for word in re.findall(r"\b[A-Z]{2,8}\b", feed.description) if word in codes}
        assert set(feed.owners) == named, feed.name
    assert FEEDS["deaths"].owners == ("GA", "WJ")  # public security's cancellations, death certificates
