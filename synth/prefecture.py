"""The counties a synthetic province is made of: Jining's eleven, then five neighbours.

Codes and names are the real ones (GB/T 2260); townships other than Sishui's are made up
from the county's code, so each county has its own names and the same ones every run.
Every county is Sishui-sized (its townships' residents are Sishui's), so rows grow with
the number of counties alone.
"""

from __future__ import annotations

import random

from synth.population import SISHUI, TOWNSHIPS, CountyProfile

# (code, name, prefecture), Sishui first: a one-county province is the default county.
COUNTIES = (
    ("370831", "泗水县", "济宁市"),
    ("370881", "曲阜市", "济宁市"),
    ("370883", "邹城市", "济宁市"),
    ("370812", "兖州区", "济宁市"),
    ("370826", "微山县", "济宁市"),
    ("370827", "鱼台县", "济宁市"),
    ("370828", "金乡县", "济宁市"),
    ("370829", "嘉祥县", "济宁市"),
    ("370830", "汶上县", "济宁市"),
    ("370832", "梁山县", "济宁市"),
    ("370811", "任城区", "济宁市"),
    ("370921", "宁阳县", "泰安市"),
    ("370923", "东平县", "泰安市"),
    ("370982", "新泰市", "泰安市"),
    ("370481", "滕州市", "枣庄市"),
    ("371326", "平邑县", "临沂市"),
)
PLACE_WORDS = "安平宁和兴隆丰泰康福昌盛永济河山泉林石桥庄集店楼营屯寨岭峪湖洼阳明新华东西南北"
# Numbers of residents born elsewhere: the neighbours and two far-off regions.
FAR_CODES = ("371302", "110105")


def county_profile(code: str) -> CountyProfile:
    """The county of that code (ValueError for one not in the table)."""
    if code == SISHUI.code:
        return SISHUI
    try:
        name, prefecture = next((n, p) for c, n, p in COUNTIES if c == code)
    except StopIteration:
        raise ValueError(
            f"no synthetic county {code}; one of {', '.join(c for c, _, _ in COUNTIES)}"
        ) from None
    rng = random.Random(int(code))
    names: list[str] = []
    while len(names) < len(TOWNSHIPS):
        stem = rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS)
        if stem[0] != stem[1] and all(not n.startswith(stem) for n in names):
            names.append(stem + ("街道" if len(names) < 2 else "镇"))
    townships = tuple(
        (suffix, name_, residents) for (suffix, _, residents), name_ in zip(TOWNSHIPS, names, strict=True)
    )
    neighbours = tuple(c for c, _, p in COUNTIES if c != code and p == prefecture)[:6]
    return CountyProfile(code, name, townships, neighbours + FAR_CODES, prefecture)


def province_profiles(counties: int) -> list[CountyProfile]:
    if not 1 <= counties <= len(COUNTIES):
        raise ValueError(f"a synthetic province has 1 to {len(COUNTIES)} counties, not {counties}")
    return [county_profile(code) for code, _, _ in COUNTIES[:counties]]
