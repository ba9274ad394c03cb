"""Names in Latin letters, for search: pinyin for Han names, the name itself otherwise;
and what a name may hold at all.

For 王建国 the searchable form is ``wang jian guo jianguo wangjianguo``, so a clerk may
type "wang jianguo", "jian guo" or "wangjianguo". Latin-script names are kept as written
(lower case); other scripts' characters pass through unchanged.
"""

from __future__ import annotations

import unicodedata

from pypinyin import lazy_pinyin


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def latin_name(name: str) -> str | None:
    if not any(_is_han(ch) for ch in name):
        return None  # already Latin (or another script): the name field itself is searched
    syllables = [s.lower() for s in lazy_pinyin(name) if s.strip() and s.isalpha()]
    if not syllables:
        return None
    forms = list(syllables)  # in order, repeats kept: phrase search needs "mai mai ti"
    if len(syllables) > 2:
        forms.append("".join(syllables[1:]))  # the given name as one word
    if len(syllables) > 1:
        forms.append("".join(syllables))
    return " ".join(forms)


# Characters that show nothing: a name of them alone looks blank, and inside a name they
# split one person into two for search and matching. They are removed.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad"))
# Bidirectional controls reorder what a screen shows ("Trojan Source"): never in a record.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible_text(value: str) -> str:
    """Text without zero-width characters; ValueError if nothing is left or it holds a
    bidirectional control."""
    text = value.translate(_ZERO_WIDTH).strip()
    if not text:
        raise ValueError("must not be empty" + (" (only invisible characters)" if value.strip() else ""))
    if bidi := next((ch for ch in text if ch in _BIDI), None):
        raise ValueError(f"holds a bidirectional control (U+{ord(bidi):04X}), which reorders what is shown")
    return text


def checked_name(value: str) -> str:
    """A name as stored: visible text of letters (any script), with no control or format
    characters and no markup (< >: a name is shown in web pages and printed lists)."""
    text = visible_text(value)
    if hidden := next((ch for ch in text if unicodedata.category(ch)[0] == "C"), None):
        raise ValueError(f"holds an invisible or control character (U+{ord(hidden):04X})")
    if "<" in text or ">" in text:
        raise ValueError("holds < or >: markup, not a name")
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise ValueError("has no letters: not a name")
    return text
