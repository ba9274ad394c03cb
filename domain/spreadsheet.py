"""Cells that a spreadsheet shows as text and never runs as a formula.

Rejects files and publicity lists are opened in Excel or WPS by people who trust them. A
cell whose first non-blank character is = + - @ (or that starts with a tab or carriage
return) could run as a formula there (CSV injection, OWASP): it gets a leading apostrophe,
which spreadsheets hide and treat as "this is text".
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r", "\n") or text.lstrip(" \t\r\n\u3000").startswith(_TRIGGERS):
        return "'" + text
    return text
