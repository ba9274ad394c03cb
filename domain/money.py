"""Money: stored in the graph as integer fen (分), exact and summable in Cypher; read and typed
by people in yuan with two decimal places."""

from __future__ import annotations

from decimal import Decimal
from typing import overload

FEN_PER_YUAN = 100
CENT = Decimal("0.01")


def whole_fen(amount: Decimal) -> bool:
    """Whether an amount in yuan is a whole number of fen (at most two decimals)."""
    return amount == amount.quantize(CENT)


def to_fen(amount: Decimal | int | None) -> int | None:
    """An amount in yuan (at most two decimals, checked by the caller) as stored."""
    return None if amount is None else int(amount * FEN_PER_YUAN)


@overload
def to_yuan(fen: int) -> Decimal: ...
@overload
def to_yuan(fen: None) -> None: ...
@overload
def to_yuan(fen: int | None) -> Decimal | None: ...


def to_yuan(fen: int | None) -> Decimal | None:
    """An amount as stored, in yuan with two places."""
    return None if fen is None else (Decimal(fen) / FEN_PER_YUAN).quantize(CENT)


def yuan_text(fen: int | None) -> str:
    """An amount as stored, written for an explanation: 1,234.50 (? where unknown)."""
    return "?" if fen is None else f"{Decimal(fen) / FEN_PER_YUAN:,.2f}"
