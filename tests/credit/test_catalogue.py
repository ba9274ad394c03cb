"""The receiving platform's catalogue (rules/credit-catalogue.toml): every shared field of
credit/shape.py mapped or dropped, a code for every value we send, and one line for a file
that is wrong."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from credit.catalogue import (
    CatalogueError,
    exported_statuses,
    parse_catalogue,
    read_catalogue,
    shipped_catalogue,
)
from credit.shape import RECORD_FIELDS, SHARED
from jobs.credit_export import FORMAT, change_record
from reliefgraph.cli import app
from schema.credit import Behaviour, Severity
from settings import CREDIT_CATALOGUE_FILE, Settings

SHIPPED = tomllib.loads(CREDIT_CATALOGUE_FILE.read_text(encoding="utf-8"))


def shipped(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SHIPPED)
    data.update(changes)
    return data


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data, "test.toml")
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", [f.name for f in SHARED])
def test_every_shared_field_is_mapped_or_dropped(name: str) -> None:
    c = shipped_catalogue()
    assert (name in c.fields) != (name in c.dropped)
    # And a catalogue that forgets it does not load, naming it.
    data = shipped()
    data["fields"].pop(name, None)
    data["dropped"].pop(name, None)
    data.get("values", {}).pop(name, None)
    assert error_of(data) == (
        f"the credit catalogue test.toml is not valid: the shared field {name!r} is neither mapped"
        " nor dropped"
    )


@pytest.mark.parametrize("name", [f.name for f in RECORD_FIELDS if not f.shared])
def test_a_field_kept_in_the_county_cannot_be_mapped(name: str) -> None:
    data = shipped()
    data["fields"][name] = "bu_gongxiang"
    assert f"[fields] names {name!r}, not a shared field of credit/shape.py" in error_of(data)


def test_every_value_we_send_has_a_code() -> None:
    c = shipped_catalogue()
    assert sorted(c.values["behaviour"]) == sorted(b.value for b in Behaviour)
    assert sorted(c.values["severity"]) == sorted(s.value for s in Severity)
    assert sorted(c.values["status"]) == sorted(exported_statuses())
    assert set(exported_statuses()) == {"decided", "published", "repaired", "expired", "revoked"}


def test_a_missing_status_code_is_one_line() -> None:
    data = shipped()
    del data["values"]["status"]["revoked"]
    assert error_of(data).endswith("[values.status] has no code for revoked")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["fields"].update(behaviour="zhuti_mingcheng"),
            "the catalogue key 'zhuti_mingcheng' is given twice",
        ),
        (lambda d: d["constants"].update(zhuangtai="x"), "the catalogue key 'zhuangtai' is given twice"),
        (
            lambda d: d["fields"].update(facts="失信事实"),
            "the catalogue key '失信事实' is not lower-case pinyin",
        ),
        (lambda d: d["dropped"].update(aid_stopped=" "), "[dropped] 'aid_stopped' gives no reason"),
        (lambda d: d["dropped"].update(facts="no"), "the shared field 'facts' is both mapped and dropped"),
        (lambda d: d["values"].update(amount={"1.00": "x"}), "[values.amount] is not a mapped text field"),
        (lambda d: d["values"]["severity"].update(general=""), "[values.severity] has an empty code"),
        (lambda d: d.update(extra={}), "extra: Extra inputs are not permitted"),
        (lambda d: d.pop("version"), "version: Field required"),
        (lambda d: d.update(version="1 beta"), "version: String should match pattern"),
        (lambda d: d["id_type"].pop("passport"), "id_type.passport: Field required"),
    ],
)
def test_a_wrong_catalogue_is_one_line_naming_what(change, expected: str) -> None:  # type: ignore[no-untyped-def]
    data = shipped()
    change(data)
    assert expected in error_of(data)


def test_a_file_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"^cannot read the credit catalogue .*: No such file"):
        read_catalogue(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = \n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"^the credit catalogue .* is not valid TOML: "):
        read_catalogue(broken)


ROW = {
    "change_id": "CC-7",
    "sequence": 7,
    "change": "published",
    "occurred_at": "2026-11-29T09:12:03+00:00",
    "record_id": "DR-1",
    "record_version": 3,
    "status": "published",
    "subject_name": "王建国",
    "id_number": "370831195003040011",
    "behaviour": "concealment",
    "facts": "the January payment was made twice and kept",
    "amount_fen": 104000,
    "legal_basis": "《社会救助暂行办法》第六十八条",
    "severity": "general",
    "deciding_authority": "泗水县民政局",
    "decision_number": "泗民信〔2026〕1号",
    "decision_date": date(2026, 11, 20),
    "publicity_start": date(2026, 11, 29),
    "publicity_end": date(2029, 11, 29),
    "recovery_amount_fen": 104000,
    "aid_stopped": True,
    "defence_statement": "kept in the county",
}


def test_a_change_is_sent_in_the_catalogues_fields_and_codes() -> None:
    sent = change_record(ROW)
    assert (sent["format"], sent["catalogue"]) == (FORMAT, "credit-catalogue/1")
    assert (sent["idempotency_key"], sent["record_id"]) == ("CC-7", "DR-1")  # the envelope stays
    assert sent["record"] == {
        "xinxi_bianhao": "DR-1",
        "zhuangtai": "公示中",
        "zhuti_mingcheng": "王建国",
        "zhengjian_haoma": "370831195003040011",
        "zhengjian_leixing": "111",
        "zhuti_leixing": "自然人",
        "shixin_xingwei": "隐瞒家庭收入、财产状况骗取社会救助",
        "shixin_shishi": "the January payment was made twice and kept",
        "sheji_jine": "1040.00",
        "rending_yiju": "《社会救助暂行办法》第六十八条",
        "shixin_chengdu": "一般失信",
        "rending_danwei": "泗水县民政局",
        "rending_wenshu_hao": "泗民信〔2026〕1号",
        "rending_riqi": "2026-11-20",
        "gongshi_qishi_riqi": "2026-11-29",
        "gongshi_jiezhi_riqi": "2029-11-29",
        "zhuihui_jine": "1040.00",
        "xiufu_riqi": None,
        "gongshi_qiman_riqi": None,
        "yiyi_chuli_zhong": None,
        "chexiao_riqi": None,
        "chexiao_yuanyin": None,
        "chexiao_wenshu_hao": None,
        "shuju_laiyuan_danwei": "泗水县民政局",
    }


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("370831195003040011", "111"),  # 居民身份证
        ("11010519491231002X", "111"),
        ("E12345678", "414"),  # 普通护照
        ("G1234567", "414"),
        ("11010519491231002x", "990"),  # not canonical: not claimed as a resident number
        ("370831195003040012", "990"),  # a failing check digit
        ("H0123456789", "990"),  # a Hong Kong permit's shape: another document
        (None, None),
    ],
)
def test_the_document_type_comes_from_the_number(number: str | None, code: str | None) -> None:
    assert change_record({**ROW, "id_number": number})["record"]["zhengjian_leixing"] == code


def test_a_value_without_a_code_is_one_line() -> None:
    with pytest.raises(CatalogueError) as caught:
        change_record({**ROW, "behaviour": "bribery"})
    assert str(caught.value) == (
        "the credit catalogue credit-catalogue/1 has no code for behaviour 'bribery' (record DR-1):"
        " add it to [values.behaviour]"
    )


def test_the_command_refuses_a_wrong_catalogue_in_one_line(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "credit-catalogue.toml"
    broken.write_text(
        CREDIT_CATALOGUE_FILE.read_text(encoding="utf-8").replace('facts = "shixin_shishi"', "")
    )
    configured = settings.model_copy(update={"credit_catalogue_file": broken})
    result = CliRunner().invoke(app, ["export", "credit", "--outbox", str(tmp_path / "out")], obj=configured)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == (
        f"nothing exported: the credit catalogue {broken} is not valid: "
        "the shared field 'facts' is neither mapped nor dropped\n"
    )
    assert not (tmp_path / "out").exists()  # nothing made before the catalogue is known good
