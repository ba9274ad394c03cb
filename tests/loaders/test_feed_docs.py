from loaders.feeds import FEEDS
from loaders.feeds.docs import feeds_markdown
from settings import PROJECT_ROOT


def test_docs_feeds_md_matches_the_code() -> None:
    committed = (PROJECT_ROOT / "docs" / "feeds.md").read_text(encoding="utf-8")
    assert committed == feeds_markdown(), "regenerate with: reliefgraph feeds > docs/feeds.md"


def test_every_feed_column_is_documented() -> None:
    text = feeds_markdown()
    for feed in FEEDS.values():
        assert f"## `{feed.name}`" in text
        for column in feed.columns:
            assert f"| `{column}` |" in text
