"""Names in Latin letters, for search: pinyin for Han names, the name itself otherwise.

For 王建国 the searchable form is ``wang jian guo jianguo wangjianguo``, so a clerk may
type "wang jianguo", "jian guo" or "wangjianguo". Latin-script names are kept as written
(lower case); other scripts' characters pass through unchanged.
"""

from __future__ import annotations

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
