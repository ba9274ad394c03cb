"""Relay-style connections with opaque cursors and a capped page size."""

from __future__ import annotations

import base64
from typing import Generic, TypeVar

import strawberry

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
        if kind != "o":
            raise ValueError
        return int(value) + 1
    except (ValueError, UnicodeDecodeError):
        raise PageSizeError("after is not a cursor this API issued") from None


def encode_key(*parts: str) -> str:
    return base64.urlsafe_b64encode("k:".encode() + "\x1f".join(parts).encode()).decode()


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
