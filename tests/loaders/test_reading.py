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
    path = write(tmp_path, "households.csv", ("household_id,village_code,address,address\n").encode())
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
    text = '{"household_id": "H1", "village_code": "370831100001", "address": "东村1号"}\n{"household_id": "H2", "vil'
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


def test_short_gbk_that_is_also_valid_utf8_is_read_as_gbk(tmp_path: Path) -> None:
    # 鲁 in GBK is C2 B3, which UTF-8 reads as "³": the plate must come back as 鲁H12345.
    text = "record_id,plate\nV-1,鲁H12345\n"
    path = write(tmp_path, "vehicles.csv", text.encode("gbk"))
    export = read_export(path, ["record_id"])
    assert export.encoding == "gb18030"
    assert export.rows[0].values["plate"] == "鲁H12345"


def test_middle_dot_in_a_minority_name_stays_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "persons.csv", "name\n阿卜杜拉·买买提\n".encode("utf-8"))
    export = read_export(path, ["name"])
    assert (export.encoding, export.rows[0].values["name"]) == ("utf-8", "阿卜杜拉·买买提")
