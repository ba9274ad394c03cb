"""Files that are not what they claim get one clear error naming the file."""

from pathlib import Path

import pytest

from loaders.reading import FileFormatError, read_export

REQUIRED = ["household_id", "village_code", "address"]
HEADER = "household_id,village_code,address,registered_date\n"
ROW = "H1,370831100001,山东省济宁市泗水县泉林镇东村1号,2020-01-01\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_exports_decode_in_every_usual_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "households.csv", (HEADER + ROW).encode(encoding))
    export = read_export(path, REQUIRED)
    assert export.rows[0].values["address"] == "山东省济宁市泗水县泉林镇东村1号"
    assert export.rows[0].line == 2


def test_utf16_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", (HEADER + ROW).encode("utf-16"))
    with pytest.raises(FileFormatError, match="households.csv"):
        read_export(path, REQUIRED)


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", b"\x81\x30\xff\xfe\x00\x01" * 20)
    with pytest.raises(FileFormatError, match=r"households\.csv"):
        read_export(path, REQUIRED)


def test_forced_wrong_encoding_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", (HEADER + ROW).encode("gbk"))
    with pytest.raises(FileFormatError, match="not valid utf-8"):
        read_export(path, REQUIRED, encoding="utf-8")


def test_wrong_header_names_the_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", ("household_id,village,addr\n" + ROW).encode())
    with pytest.raises(FileFormatError, match="missing column\\(s\\) village_code, address"):
        read_export(path, REQUIRED)


def test_duplicated_header_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", (b"household_id,village_code,address,address\n"))
    with pytest.raises(FileFormatError, match="appear twice"):
        read_export(path, REQUIRED)


def test_truncated_csv_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", (HEADER + ROW + "H2,3708311").encode())
    with pytest.raises(FileFormatError, match="truncated: the last line \\(3\\)"):
        read_export(path, REQUIRED)


def test_csv_cut_inside_a_quoted_field_is_truncated(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", (HEADER + ROW + 'H2,370831100001,"山东省济').encode())
    with pytest.raises(FileFormatError, match="households.csv"):
        read_export(path, REQUIRED)


def test_truncated_jsonl_is_refused(tmp_path: Path) -> None:
    text = (
        '{"household_id": "H1", "village_code": "370831100001", "address": "东村1号"}\n'
        '{"household_id": "H2", "vil'
    )
    path = write(tmp_path, "households.jsonl", text.encode())
    with pytest.raises(FileFormatError, match="truncated: the last line \\(2\\)"):
        read_export(path, REQUIRED)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="empty"):
        read_export(write(tmp_path, "households.csv", b""), REQUIRED)


def test_a_short_row_mid_file_is_a_row_problem_not_a_file_error(tmp_path: Path) -> None:
    path = write(tmp_path, "households.csv", (HEADER + "H0,370831100001\n" + ROW).encode())
    export = read_export(path, REQUIRED)
    assert export.rows[0].problem == "has 2 fields; the header has 4"
    assert export.rows[0].line == 2
    assert export.rows[1].problem is None


def test_quoted_newlines_keep_line_numbers_right(tmp_path: Path) -> None:
    text = HEADER + 'H1,370831100001,"东村\n1号",2020-01-01\n' + "H2,370831100001,西村2号,2020-01-01\n"
    export = read_export(write(tmp_path, "households.csv", text.encode()), REQUIRED)
    assert [r.line for r in export.rows] == [2, 4]


def test_short_gbk_that_is_also_valid_utf8_is_refused_until_its_encoding_is_given(tmp_path: Path) -> None:
    # 鲁 in GBK is C2 B3, which UTF-8 reads as "³": neither reading can be trusted, so the
    # file names both and asks; with the encoding given, the plate comes back as 鲁H12345.
    text = "record_id,plate\nV-1,鲁H12345\n"
    path = write(tmp_path, "vehicles.csv", text.encode("gbk"))
    with pytest.raises(
        FileFormatError, match="ambiguous: UTF-8 reads 'V-1,³H12345', GB18030 reads 'V-1,鲁H12345'"
    ):
        read_export(path, ["record_id"])
    export = read_export(path, ["record_id"], "gb18030")
    assert (export.encoding, export.rows[0].values["plate"]) == ("gb18030", "鲁H12345")


def test_utf8_with_yuan_signs_and_bank_names_stays_utf8(tmp_path: Path) -> None:
    # The probe's file: ¥ (U+00A5) and Chinese runs of even length, which GB18030 also
    # decodes (as 涓浗閾惰…). Valid UTF-8 with Han characters is UTF-8.
    text = "record_id,bank,balance\nD1,中国银行,¥200\nD2,中国工商银行,100\nD3,中国农业银行,100\n"
    export = read_export(write(tmp_path, "deposits.csv", text.encode("utf-8")), ["record_id"])
    assert export.encoding == "utf-8"
    assert [r.values["bank"] for r in export.rows] == ["中国银行", "中国工商银行", "中国农业银行"]
    assert export.rows[0].values["balance"] == "¥200"


def test_an_ambiguous_line_is_quoted_around_the_character_that_differs(tmp_path: Path) -> None:
    # A short UTF-8 file whose one non-ASCII character is ¥ (C2 A5, which GB18030 reads as
    # 楼), far into a long line: the two readings quoted from the line's start would be cut
    # off before the ¥ and look the same.
    text = "record_id,account,note\nD1,6228480000000000001,deposit of the first quarter ¥200\n"
    path = write(tmp_path, "deposits.csv", text.encode("utf-8"))
    with pytest.raises(FileFormatError) as refused:
        read_export(path, ["record_id"])
    message = str(refused.value)
    assert "UTF-8 reads '…rst quarter ¥200', GB18030 reads '…rst quarter 楼200'" in message
    export = read_export(path, ["record_id"], "utf-8")
    assert export.rows[0].values["note"] == "deposit of the first quarter ¥200"


def test_gbk_that_is_not_utf8_is_gb18030(tmp_path: Path) -> None:
    text = "record_id,bank\nD1,中国农业银行泗水支行\n"
    export = read_export(write(tmp_path, "deposits.csv", text.encode("gbk")), ["record_id"])
    assert (export.encoding, export.rows[0].values["bank"]) == ("gb18030", "中国农业银行泗水支行")


def test_unbalanced_quote_rejects_its_line_and_the_rest_loads(tmp_path: Path) -> None:
    text = (
        HEADER
        + 'H1,370831100001,"东村1号,2020-01-01\n'
        + "H2,370831100001,西村2号,2020-01-01\n"
        + "H3,370831100001,西村3号,2020-01-01\n"
    )
    export = read_export(write(tmp_path, "households.csv", text.encode()), REQUIRED)
    assert [(r.line, r.problem is None) for r in export.rows] == [(2, False), (3, True), (4, True)]
    assert "unbalanced quote" in export.rows[0].problem


def test_a_huge_field_or_a_nul_byte_rejects_one_row(tmp_path: Path) -> None:
    text = (
        HEADER
        + "H1,370831100001,"
        + "x" * 200_000
        + ",2020-01-01\n"
        + "H2,370831100001,西村\x002号,2020-01-01\n"
        + "H3,370831100001,西村3号,2020-01-01\n"
    )
    export = read_export(write(tmp_path, "households.csv", text.encode()), REQUIRED)
    assert [(r.line, r.problem) for r in export.rows] == [
        (2, "a field is longer than 131,072 characters"),
        (3, "contains a NUL byte"),
        (4, None),
    ]


def test_middle_dot_in_a_minority_name_stays_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "persons.csv", "name\n阿卜杜拉·买买提\n".encode())
    export = read_export(path, ["name"])
    assert (export.encoding, export.rows[0].values["name"]) == ("utf-8", "阿卜杜拉·买买提")


def test_two_loads_into_one_rejects_folder_keep_each_others_partial_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two loads of files of one name (two counties' persons_GA.csv) into one rejects folder:
    the second's start must not remove the first's rejects half written."""
    from loaders.rejects import Reject, RejectsFile

    path = tmp_path / "rejects" / "persons_GA.csv.rejects.csv"
    first = RejectsFile(path)
    first.write([Reject("persons_GA.csv", 2, "id_number", "check digit is 1, expected 2", "x")])
    second = RejectsFile(path)
    second.write([Reject("persons_GA.csv", 3, "id_number", "wrong length", "y")])
    first.close()
    assert "check digit" in path.read_text(encoding="utf-8")
    second.close()
    assert "wrong length" in path.read_text(encoding="utf-8")
    assert not list(path.parent.glob("*.partial"))
    # A partial file left by a load that crashed (its process gone) is removed by the next one.
    crashed = path.with_name(f"{path.name}.999999999-dead.partial")
    crashed.write_text("cut mid-row", encoding="utf-8")
    RejectsFile(path)
    assert not crashed.exists()
