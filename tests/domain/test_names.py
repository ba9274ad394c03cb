from domain.names import latin_name


def test_han_names_get_searchable_pinyin() -> None:
    assert latin_name("王建国") == "wang jian guo jianguo wangjianguo"
    assert latin_name("黄芳") == "huang fang huangfang"


def test_latin_and_transliterated_names_are_left_alone() -> None:
    assert latin_name("John Smith") is None
    assert latin_name("阿卜杜拉·买买提").startswith("a bo du la mai mai ti")
