"""Names as a county register holds them: mostly Han, some minority transliterations and Latin."""

from __future__ import annotations

import random

# Common surnames in Shandong, roughly by frequency.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤"
    "尹黎易常武乔贺赖龚文"
)
SURNAME_WEIGHTS = tuple(max(1, 60 - i) for i in range(len(SURNAMES)))
GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林洋兵峰建国庆志新海亮德福生"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华慧巧美娅玲桂兰凤洁梅琳素云莲真环雪荣爱妹香月莺媛红燕萍玉"
# Names written in Latin script or as transliterations (foreign residents, minority names).
OTHER_NAMES = ("阿卜杜拉·买买提", "古丽娜尔·艾力", "扎西多吉", "Maria Schmidt", "John Smith", "Nguyen Van An")


def han_name(rng: random.Random, sex: str) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    given = rng.choice(pool) if rng.random() < 0.35 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def person_name(rng: random.Random, sex: str) -> str:
    if rng.random() < 0.002:
        return rng.choice(OTHER_NAMES)
    return han_name(rng, sex)
