"""DUP_IDENTITY: one person under two ID numbers, not two people alike."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from detection.identity_linkage import LEVEL_LABELS, comparisons, level_label, print_level_labels
from domain.finding_kinds import FindingKind
from domain.ids import make_id_number
from tests.detection.builder import VA, VB, VC, County
from tests.detection.conftest import keys


def test_names_are_compared_simplified_and_as_pinyin() -> None:
    from detection.identity_register import person_row

    born = date(1980, 5, 6)
    traditional = person_row({"id": make_id_number("370831", born, 123), "name": "劉 德華", "birth": born})
    assert (
        traditional["name"],
        traditional["latin"],
        traditional["name_first"],
        traditional["name_last"],
    ) == ("刘德华", "liudehua", "liu", "hua")
    latin = person_row({"id": "E12345678", "name": "John  Smith", "birth": None})
    assert (latin["name"], latin["latin"], latin["id17"], latin["birth_date"]) == (
        "johnsmith",
        "johnsmith",
        None,
        None,
    )
    # The ID number is compared without its birth digits, and never by its sex digit alone.
    assert traditional["id17_region_seq"] == "370831" + "123"
    # Written in traditional characters: the same name, written otherwise (its own comparison).
    assert traditional["name_written"] == "劉德華"
    # 於 is a surname of its own, which the conversion would fold into 于.
    yu = [person_row({"id": "x", "name": n, "birth": born})["name"] for n in ("於红", "于红", "於紅")]
    assert yu == ["於红", "于红", "於红"]


def test_an_address_written_in_words_blocks_on_its_rare_words() -> None:
    from detection.identity_blocking import BLOCKING, pairs_sql
    from detection.identity_linkage import IdentityLinker
    from detection.identity_register import person_row

    # FEBRL's hardest pairs: no birth date, both name parts mangled, one address word mistyped.
    a = person_row(
        {"id": "E1", "name": "bkows luc y", "birth": None, "addresses": ["1 kriewaldt circuit torfquay 3084"]}
    )
    b = person_row(
        {"id": "E2", "name": "lucy clarke", "birth": None, "addresses": ["1 kriewaldt circuit torquay 3084"]}
    )
    # Many others on streets named "circuit", numbered 1: words too common to block on.
    others = [
        person_row(
            {
                "id": f"X{i}",
                "name": f"p{i} q{i}",
                "birth": date(1950, 1, 1) + timedelta(days=i),
                "addresses": [f"1 street{i} circuit town{i} {1000 + i}"],
            }
        )
        for i in range(40)
    ]
    linker = IdentityLinker([a, b, *others])
    proposed = {
        tuple(sorted(r)) for r in linker.con.execute(pairs_sql(BLOCKING["rare address word"])).fetchall()
    }
    assert ("E1", "E2") in proposed
    assert ("X1", "X2") not in proposed  # they share "1" and "circuit", each held by 42
    # A Chinese address is one string, compared whole: it has no words of its own.
    assert (
        person_row(
            {"id": "E3", "name": "王伟", "birth": None, "addresses": ["山东省济宁市泗水县圣水峪镇朱姚村77号"]}
        )["address_words"]
        == []
    )


def test_slips_in_both_name_and_birth_date_are_proposed_without_pairing_everyone_born_that_year() -> None:
    from detection.identity_blocking import BLOCKING, pairs_sql
    from detection.identity_linkage import IdentityLinker
    from detection.identity_register import person_row

    def person(number: str, name: str, born: date) -> dict:
        return person_row({"id": number, "name": name, "birth": born})

    rows = [
        # A middle character and the day mistyped: surname, last syllable and month hold.
        person(make_id_number("370831", date(1969, 1, 6), 101), "王建国", date(1969, 1, 6)),
        person(make_id_number("370831", date(1969, 1, 9), 555), "王志国", date(1969, 1, 9)),
        # A number retyped with its month digits wrong (the birth date read from it), the given
        # name written differently: region, sequence, year and surname hold.
        person(make_id_number("370831", date(1958, 1, 6), 123), "李建国", date(1958, 1, 6)),
        person(make_id_number("370831", date(1958, 3, 6), 123), "李建华", date(1958, 3, 6)),
    ]
    # Forty strangers with the same region, sequence digits and birth year, no name part
    # shared (characters of distinct pinyin: name parts are compared as pinyin).
    pool, taken = (
        (
            "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏窦章苏潘葛范彭鲁马苗凤花方俞任袁柳鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹"
            "戴宋熊纪舒屈项祝董梁杜阮蓝席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍万柯管卢莫房缪解应宗丁宣邓单洪包左石崔吉龚程邢裴陆荣翁羊惠"
        ),
        {},
    )
    for ch in pool:
        taken.setdefault(person("X", ch + ch, date(1975, 1, 1))["name_first"], ch)
    chars = list(taken.values())
    assert len(chars) >= 80
    rows += [
        person(
            make_id_number("370831", date(1975, 1, 1) + timedelta(days=7 * i), 456),
            chars[i] + "小" + chars[40 + i],
            date(1975, 1, 1) + timedelta(days=7 * i),
        )
        for i in range(40)
    ]
    linker = IdentityLinker(rows)
    proposed = {
        tuple(sorted(r)) for rule in BLOCKING.values() for r in linker.con.execute(pairs_sql(rule)).fetchall()
    }
    ids = [r["unique_id"] for r in rows]
    assert tuple(sorted(ids[0:2])) in proposed and tuple(sorted(ids[2:4])) in proposed
    strangers = set(ids[4:])
    assert not [p for p in proposed if set(p) <= strangers]  # 780 pairs, had the year alone been a key


def test_a_mistyped_number_sharing_a_phone_is_found_and_namesakes_are_not(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    born = date(1970, 3, 8)
    h1, h2 = c.household(VA), c.household(VC)
    original = c.person(h1, "张秀英", born, sex="F", id_number=make_id_number("370831", born, 224))
    clone = c.person(h2, "张秀英", born, sex="F", id_number=make_id_number("370831", born, 264))
    c.phone(original, "13900000123")
    c.phone(clone, "13900000123")
    # Look-alikes: namesakes born the same day with nothing else in common; a couple sharing
    # a phone and an address.
    for village, sequence in zip((VA, VB, VC, VA, VB, VC), (101, 235, 367, 483, 615, 749), strict=True):
        h = c.household(village)
        c.person(h, "李伟", date(1985, 7, 7), id_number=make_id_number("370831", date(1985, 7, 7), sequence))
    couple = c.household(VB)
    husband, wife = (
        c.person(couple, "赵刚", date(1960, 1, 1)),
        c.person(couple, "钱芳", date(1962, 1, 1), sex="F", relation="spouse"),
    )
    for p in (husband, wife):
        c.phone(p, "13900000999")
    _register(c)
    found = detect(c, FindingKind.DUP_IDENTITY)
    assert keys(found, "Person") == [{original, clone}]
    fields = found[0].details["fields"]
    assert fields["phones"]["level"] == "a phone shared" and fields["phones"]["weight"] > 0
    assert fields["id_number"]["level"] == "region and sequence digits one keystroke apart"
    # Explained in our own words, one language each: never the library's English in Chinese.
    zh = found[0].explanation
    assert "共用电话" in zh and "号码的地区码与顺序码一处笔误" in zh
    assert not re.search(r"[A-Za-z]", zh.replace(original, "").replace(clone, "")), zh
    assert "a phone shared" in found[0].explanation_en and "Damerau" not in found[0].explanation_en
    assert found[0].score >= 0.95


def _register(c: County) -> None:
    """A population for the model to learn what unrelated people look like (the statistics of
    a real register: repeated surnames and given names, birth dates over 80 years)."""
    rng = random.Random(7)
    for i in range(4000):
        h = c.household((VA, VB, VC)[i % 3])
        c.person(
            h,
            rng.choice("王李张刘陈杨黄赵吴周")
            + rng.choice(
                (
                    "伟",
                    "芳",
                    "娜",
                    "敏",
                    "静",
                    "强",
                    "磊",
                    "军",
                    "洋",
                    "勇",
                    "艳",
                    "杰",
                    "娟",
                    "涛",
                    "明",
                    "超",
                    "秀兰",
                )
            ),
            date(1940, 1, 1) + timedelta(days=rng.randrange(29_000)),
            sex=rng.choice("MF"),
        )


def test_what_households_share_never_makes_two_people_one(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    # Retyped in traditional characters with one digit of the number slipped, nothing shared:
    # only the particulars speak, and they do.
    born = date(1953, 12, 30)
    original = c.person(
        c.household(VA), "钱艳云", born, sex="F", id_number=make_id_number("370831", born, 24)
    )
    second_home = c.household(VC)
    retyped = c.person(second_home, "錢豔雲", born, sex="F", id_number=make_id_number("370831", born, 94))
    # A mother and her grown son in two households sharing a phone and an address: weighty
    # shared identifiers, particulars that differ.
    mother = c.person(c.household(VB), "孙桂兰", date(1948, 2, 3), sex="F")
    son = c.person(c.household(VB), "周建军", date(1972, 9, 14))
    for p in (mother, son):
        c.phone(p, "13900000777")
        c.address(p, "泗水县泗河街道东关村12号")
    # A village office's phone given by seven applicants in seven households, two of them
    # namesakes born days apart: an office's number says nothing about who anyone is.
    office = [
        c.person(c.household(VA), name, born_on, sex="F")
        for name, born_on in [
            ("李秀兰", date(1966, 4, 2)),
            ("李秀兰", date(1966, 4, 12)),
            ("王芳", date(1970, 1, 1)),
            ("赵静", date(1980, 1, 1)),
            ("吴娜", date(1990, 1, 1)),
            ("周敏", date(1960, 1, 1)),
            ("陈艳", date(1950, 1, 1)),
        ]
    ]
    for p in office:
        c.phone(p, "05374122868")
    _register(c)
    found = detect(c, FindingKind.DUP_IDENTITY)
    assert keys(found, "Person") == [{original, retyped}]
    assert found[0].details["fields"]["phones"]["level"] != "a phone shared"
    # An incremental run over the second registration's household finds the same pair: the
    # original is among those born that day whose name parts block with it.
    again = detect(c, FindingKind.DUP_IDENTITY, [second_home])
    assert keys(again, "Person") == [{original, retyped}] and again[0].score == found[0].score


def test_an_empty_or_tiny_register_is_no_error(detect) -> None:  # type: ignore[no-untyped-def]
    c = County()
    h = c.household(VA)
    c.person(h, "孤身一人", date(1950, 1, 1))
    assert detect(c, FindingKind.DUP_IDENTITY) == []


def test_the_prior_follows_the_deterministic_rules_recall_as_the_register_shows_it() -> None:
    from detection.identity_linkage import DETERMINISTIC_RECALL, IdentityLinker
    from detection.identity_register import person_row

    rng = random.Random(11)
    given = (
        "伟",
        "芳",
        "娜",
        "敏",
        "静",
        "强",
        "磊",
        "军",
        "洋",
        "勇",
        "艳",
        "杰",
        "娟",
        "涛",
        "明",
        "超",
        "秀兰",
    )
    rows = []
    for i in range(3000):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(29_000))
        rows.append(
            {
                "id": make_id_number("370831", born, i % 997 + 1),
                "name": rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(given),
                "birth": born,
                "households": [f"H{i}"],
            }
        )
    # Twelve persons registered twice: the same name and birth date, the number retyped with a
    # sequence digit slipped. Three of them gave the same phone both times: all the
    # deterministic rules (a shared phone with the same birth date) can see.
    truth = set()
    for k in range(12):
        born = date(1950 + k, 3, 1 + k)
        name = "欧阳" + "春夏秋冬梅兰竹菊松柏桃李"[k] + "华"
        first, second = make_id_number("370831", born, 310 + k), make_id_number("370831", born, 370 + k)
        phones = [f"1390000{k:04d}"] if k < 3 else []
        rows += [
            {"id": first, "name": name, "birth": born, "phones": phones, "households": [f"A{k}"]},
            {"id": second, "name": name, "birth": born, "phones": phones, "households": [f"B{k}"]},
        ]
        truth.add(tuple(sorted((first, second))))
    linker = IdentityLinker([person_row(r) for r in rows])
    linker.train(0.5, 0.0)
    found = {(p.a, p.b) for p in linker.predict(0.5, particulars_min_bits=0.0)}
    assert found == truth
    # Measured, not assumed: 3 of the 12 pairs found are the rules' (the guess was 0.6).
    assert linker.deterministic_recall == 3 / 12 != DETERMINISTIC_RECALL
    # The pairs kept from training are what a fresh prediction under the final model gives.
    linker._kept = None
    assert {(p.a, p.b) for p in linker.predict(0.5, particulars_min_bits=0.0)} == truth


def test_every_comparison_level_has_our_own_label_in_both_languages() -> None:
    for comparison in comparisons():
        described = comparison.get_comparison("duckdb").as_dict()
        levels = [lv for lv in described["comparison_levels"] if not lv.get("is_null_level")]
        ours = LEVEL_LABELS[described["output_column_name"]]
        assert len(ours) == len(levels), described["output_column_name"]
        assert all(zh and en and not re.search(r"[A-Za-z]", zh) for zh, en in ours)
    assert level_label("phones", "1") == ("共用电话", "a phone shared")
    assert level_label("phones", "0") == ("无共用电话", "no phone shared")
    missing = ("缺失", "missing")
    assert level_label("phones", "-1") == level_label("phones", "x") == level_label("nothing", "0") == missing
    printed = print_level_labels()
    assert "id_number (身份证号 / ID number):" in printed and "1: 共用电话 / a phone shared" in printed


def test_a_kept_model_of_other_comparisons_is_not_used_incrementally(graph, settings, caplog) -> None:  # type: ignore[no-untyped-def]
    """After an upgrade that changed the comparisons, an incremental run does not score with
    the old model (its pairs would miss the new evidence): it waits for a full run, and says so."""
    import json
    import logging

    from detection.context import DetectionContext
    from detection.detectors.identity import COMPARED, SAVE_MODEL, _saved_model
    from detection.rules import read_rules

    old = {"comparisons": [{"output_column_name": c} for c in COMPARED if c != "writing"]}
    graph.execute_query(SAVE_MODEL, parameters=json.dumps(old), database_=settings.neo4j_database)
    ctx = DetectionContext(
        graph, settings.neo4j_database, read_rules(settings.detection_rules_file), date(2026, 11, 1), ["H1"]
    )
    with caplog.at_level(logging.WARNING, logger="detection.detectors.identity"):
        assert _saved_model(ctx) is None
    assert "run a full `reliefgraph detect`" in caplog.text
    current = {"comparisons": [{"output_column_name": c} for c in COMPARED]}
    graph.execute_query(SAVE_MODEL, parameters=json.dumps(current), database_=settings.neo4j_database)
    assert _saved_model(ctx) == current
