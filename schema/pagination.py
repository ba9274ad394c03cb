"""Relay-style connections with opaque cursors and a capped page size."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from schema.errors import InvalidInput

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


class PageSizeError(ValueError):
    pass


def page_size(first: int, cap: int) -> int:
    if first < 1 or first > cap:
        raise PageSizeError(f"first must be between 1 and {cap}")
    return first


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(value)
        if kind != "o" or not 0 <= offset < 2**31:  # Neo4j refuses a negative or huge SKIP
            raise ValueError
        return offset + 1
    except (ValueError, UnicodeDecodeError):
        raise PageSizeError("after is not a cursor this API issued") from None


def encode_key(*parts: str) -> str:
    return base64.urlsafe_b64encode(b"k:" + "\x1f".join(parts).encode()).decode()


def decode_key(cursor: str | None) -> list[str] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise PageSizeError("after is not a cursor this API issued") from None
    if not raw.startswith("k:"):
        raise PageSizeError("after is not a cursor this API issued")
    return raw[2:].split("\x1f")


@dataclass(frozen=True)
class KeysetPage:
    """A validated page request for keyset pagination on (sort key, id)."""

    limit: int
    after_key: str | None
    after_id: str | None

    def params(self) -> dict[str, object]:
        """As query parameters; one row more than the page, to tell whether another page follows."""
        return {"after_key": self.after_key, "after_id": self.after_id, "limit": self.limit + 1}


def keyset_page(first: int, after: str | None, cap: int) -> KeysetPage | InvalidInput:
    try:
        limit = page_size(first, cap)
        key = decode_key(after)
    except PageSizeError as exc:
        return InvalidInput(field="first/after", message=str(exc))
    if key is not None and len(key) != 2:
        return InvalidInput(field="after", message="after is not a cursor this API issued")
    return KeysetPage(limit, key[0] if key else None, key[1] if key else None)


def connection(edges: list[Edge[T]], fetched: int, limit: int) -> Connection[T]:
    """A page of edges; `fetched` rows were read for a page of `limit` (one more means there is a
    next page)."""
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=fetched > limit, end_cursor=edges[-1].cursor if edges else None),
    )
