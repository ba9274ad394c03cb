"""Department exports as they really arrive: every case of the hostile-file probe ends in a
correct graph, rejected rows with their reasons, or one clear line — never a traceback."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from neo4j import Driver
from typer.testing import CliRunner

from loaders.run import Loader
from reliefgraph.cli import app
from settings import Settings
from tests.graphdump import dump
from tests.loaders.mini_county import ACCOUNT_WANG, LI, WANG, ZHAO, write_csv, write_mini_county

FACT = ["record_id", "id_number", "source", "as_of"]


def load(settings: Settings, *paths: Path, rejects: Path, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app, ["load", *map(str, paths), "--rejects-dir", str(rejects), *extra], obj=settings
    )


def rejects_of(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.rejects.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def query(driver: Driver, settings: Settings, cypher: str, **params):  # type: ignore[no-untyped-def]
    return [r.data() for r in driver.execute_query(cypher, params, database_=settings.neo4j_database)[0]]


def county(graph: Driver, settings: Settings, folder: Path) -> None:
    assert (
        Loader(graph, settings, rejects_dir=folder / "rejects").load(write_mini_county(folder)).rejected == 0
    )


def test_utf8_bank_names_with_a_yuan_sign_are_not_mojibake(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "c")
    deposits = write_csv(
        tmp_path / "deposits_YH.csv",
        [*FACT, "bank", "balance"],
        [
            ["D1", WANG, "YH", "2026-05-01", "中国银行", "¥200"],
            ["D2", LI, "YH", "2026-05-01", "中国工商银行", "100"],
            ["D3", ZHAO, "YH", "2026-05-01", "中国农业银行", "100"],
        ],
    )
    result = load(settings, deposits, rejects=tmp_path / "rejects")
    assert result.exit_code == 0, result.output
    banks = query(
        graph, settings, "MATCH (d:Deposit) RETURN d.bank AS bank, d.balance_fen AS fen ORDER BY d.record_id"
    )
    assert banks == [
        {"bank": "中国银行", "fen": 20000},
        {"bank": "中国工商银行", "fen": 10000},
        {"bank": "中国农业银行", "fen": 10000},
    ]


def test_huge_and_exponent_amounts_are_rejected_rows_and_the_rest_loads(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "c")
    deposits = write_csv(
        tmp_path / "deposits_YH.csv",
        [*FACT, "bank", "balance"],
        [
            ["D1", WANG, "YH", "2026-05-01", "农商行", "12345678901234567890"],
            ["D2", LI, "YH", "2026-05-01", "农商行", "1e10"],
            ["D3", ZHAO, "YH", "2026-05-01", "农商行", "300.50"],
        ],
    )
    payments = tmp_path / "payments_CZ.jsonl"
    payments.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {
                    "payment_id": "P7",
                    "enrollment_id": "E1",
                    "period": "2026-03",
                    "amount": 12345678901234567890,
                    "paid_date": "2026-03-10",
                    "account_number": ACCOUNT_WANG,
                },
                {
                    "payment_id": {"nested": 1},
                    "enrollment_id": "E1",
                    "period": "2026-04",
                    "amount": 1040,
                    "paid_date": "2026-04-10",
                    "account_number": ACCOUNT_WANG,
                },
                {
                    "payment_id": "P8",
                    "enrollment_id": "E1",
                    "period": "2026-05",
                    "amount": 1040,
                    "paid_date": "2026-05-10",
                    "account_number": ACCOUNT_WANG,
                },
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = load(settings, deposits, payments, rejects=tmp_path / "rejects")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert query(graph, settings, "MATCH (d:Deposit) RETURN d.record_id AS id, d.balance_fen AS fen") == [
        {"id": "D3", "fen": 30050}
    ]
    assert {
        r["payment_id"] for r in query(graph, settings, "MATCH (p:Payment) RETURN p.payment_id AS payment_id")
    } == {"P1", "P2", "P8"}
    reasons = {r["line"]: r["reason"] for r in rejects_of(tmp_path / "rejects", "deposits_YH.csv")}
    assert "over the maximum" in reasons["2"] and "not an amount of money" in reasons["3"]
    reasons = {r["line"]: r["reason"] for r in rejects_of(tmp_path / "rejects", "payments_CZ.jsonl")}
    assert "over the maximum" in reasons["1"] and "JSON object or array" in reasons["2"]


def test_numbers_are_not_dates(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    county(graph, settings, tmp_path / "c")
    persons = write_csv(
        tmp_path / "persons_GA.csv",
        ["id_number", "name", "household_id", "relation", "member_since"],
        [
            [WANG, "王建国", "H1", "head", "1728000"],
            [LI, "李秀英", "H1", "spouse", "0"],
            [ZHAO, "赵磊", "H2", "head", "19900230"],
            [ZHAO, "赵磊", "H2", "head", "45000"],
        ],
    )
    result = load(settings, persons, rejects=tmp_path / "rejects")
    assert result.exit_code == 0, result.output
    reasons = [r["reason"] for r in rejects_of(tmp_path / "rejects", "persons_GA.csv")]
    assert "not a date in YYYY-MM-DD" in reasons[0] and "not a date in YYYY-MM-DD" in reasons[1]
    assert "not a real date" in reasons[2] and "spreadsheet's day number" in reasons[3]
    assert (
        query(graph, settings, "MATCH ()-[m:MEMBER_OF]->() WHERE m.since < date('1971-01-01') RETURN m") == []
    )


def test_rejects_cells_cannot_run_as_formulas(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    county(graph, settings, tmp_path / "c")
    households = write_csv(
        tmp_path / "households.csv",
        ["household_id", "village_code", "address"],
        [["=1+2", "370831100001", ' =HYPERLINK("x")'], ["H9", "@SUM(1+1)", "\t+cmd"]],
    )
    assert load(settings, households, rejects=tmp_path / "rejects").exit_code == 0
    with (tmp_path / "rejects" / "households.csv.rejects.csv").open(encoding="utf-8", newline="") as fh:
        cells = [cell for row in list(csv.reader(fh))[1:] for cell in row]
    assert cells and all(not c.lstrip(" \t").startswith(("=", "+", "-", "@")) for c in cells), cells
    assert "'@SUM(1+1)" in cells


def test_an_unbalanced_quote_rejects_one_row_and_names_the_quote(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "c")
    path = tmp_path / "households.csv"
    path.write_text(
        'household_id,village_code,address\nH7,370831100001,"东村7号\nH8,370831100001,东村8号\n'
        "H9,370831100001,东村9号\n",
        encoding="utf-8",
    )
    assert load(settings, path, rejects=tmp_path / "rejects").exit_code == 0
    (reject,) = rejects_of(tmp_path / "rejects", "households.csv")
    assert reject["line"] == "2" and "unbalanced quote" in reject["reason"]
    assert {
        r["id"]
        for r in query(
            graph,
            settings,
            "MATCH (h:Household) WHERE h.household_id IN ['H7', 'H8', 'H9'] RETURN h.household_id AS id",
        )
    } == {"H8", "H9"}


def test_a_rejects_directory_that_cannot_be_written_stops_before_loading(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "c")
    not_a_directory = tmp_path / "rejects"
    not_a_directory.write_text("a file where the rejects directory should be")
    households = write_csv(
        tmp_path / "households.csv",
        ["household_id", "village_code", "address"],
        [["H7", "370831100001", "东村7号"]],
    )
    result = load(settings, households, rejects=not_a_directory)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "cannot be written" in result.output
    assert query(graph, settings, "MATCH (h:Household {household_id: 'H7'}) RETURN h") == []


def _corrected(folder: Path) -> list[Path]:
    """Case C1 now for household H2, payment P1 for a new enrollment E2, vehicle V-1 WANG's."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(
            folder / "cases.csv",
            [
                "case_id",
                "programme",
                "household_id",
                "applicant_id_number",
                "channel",
                "submitted_date",
                "status",
                "commitment_signed",
                "handled_by",
            ],
            [["C1", "DIBAO", "H2", ZHAO, "window", "2025-11-01", "approved", "yes", "S1"]],
        ),
        write_csv(
            folder / "enrollments.csv",
            [
                "enrollment_id",
                "programme",
                "case_id",
                "household_id",
                "id_number",
                "covered_id_numbers",
                "start_date",
                "monthly_amount",
                "account_number",
            ],
            [["E2", "DIBAO", "", "H1", "", f"{WANG};{LI}", "2026-01-01", "1040", ACCOUNT_WANG]],
        ),
        write_csv(
            folder / "payments.csv",
            ["payment_id", "enrollment_id", "period", "amount", "paid_date", "account_number"],
            [["P1", "E2", "2026-01", "1040", "2026-01-10", ACCOUNT_WANG]],
        ),
        write_csv(
            folder / "vehicles_GA.csv",
            [*FACT, "plate", "vehicle_type", "brand"],
            [["V-1", WANG, "GA", "2026-10-01", "鲁H12345", "car", "五菱宏光"]],
            encoding="gbk",
        ),
    ]


def test_a_corrected_export_replaces_links_and_keeps_the_history(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "first")
    loader = Loader(graph, settings, rejects_dir=tmp_path / "rejects")
    assert loader.load(_corrected(tmp_path / "fix")).rejected == 0
    assert loader.load(_corrected(tmp_path / "fix")).rejected == 0  # again: nothing more to correct
    links = query(
        graph,
        settings,
        """
        RETURN COLLECT { MATCH (:Case {case_id: 'C1'})-[:FOR_HOUSEHOLD]->(h) RETURN h.household_id }
                 AS households,
               COLLECT { MATCH (p)-[:APPLIED_FOR]->(:Case {case_id: 'C1'}) RETURN p.id_number } AS applicants,
               COLLECT { MATCH (:Payment {payment_id: 'P1'})-[:FOR_ENROLLMENT]->(e) RETURN e.enrollment_id }
                 AS grants,
               COLLECT { MATCH (p)-[:HAS_FACT]->(:Vehicle) RETURN p.id_number } AS owners""",
    )[0]
    assert links == {"households": ["H2"], "applicants": [ZHAO], "grants": ["E2"], "owners": [WANG]}
    history = query(
        graph,
        settings,
        "MATCH (x)-[:CORRECTED]->(c:Correction) RETURN c.relationship AS rel, "
        "c.old AS old, c.new AS new, c.source_file AS file ORDER BY rel",
    )
    assert history == [
        {"rel": "APPLIED_FOR", "old": WANG, "new": ZHAO, "file": "cases.csv"},
        {"rel": "FOR_ENROLLMENT", "old": "E1", "new": "E2", "file": "payments.csv"},
        {"rel": "FOR_HOUSEHOLD", "old": "H1", "new": "H2", "file": "cases.csv"},
        {"rel": "HAS_FACT", "old": ZHAO, "new": WANG, "file": "vehicles_GA.csv"},
    ]
    # The graph is a clean load of the corrected export, plus that history.
    corrected = _without_history(*dump(graph, settings.neo4j_database))
    from tests.graphdump import wipe

    wipe(graph, settings.neo4j_database)
    files = {p.name: p for p in write_mini_county(tmp_path / "clean")}
    files.update({p.name: p for p in _corrected(tmp_path / "clean-fix")})
    files["enrollments.csv"] = _both_enrollments(tmp_path / "clean-fix")
    files["payments.csv"] = write_csv(
        tmp_path / "clean-fix" / "payments.csv",
        ["payment_id", "enrollment_id", "period", "amount", "paid_date", "account_number"],
        [
            ["P1", "E2", "2026-01", "1040", "2026-01-10", ACCOUNT_WANG],
            ["P2", "E1", "2026-02", "1040.00", "2026-02-10", ACCOUNT_WANG],
        ],
    )
    assert Loader(graph, settings, rejects_dir=tmp_path / "rejects").load(list(files.values())).rejected == 0
    clean = _without_history(*dump(graph, settings.neo4j_database))
    assert [set(a.items()) ^ set(b.items()) for a, b in zip(corrected, clean, strict=True)] == [set(), set()]


def _both_enrollments(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(
        folder / "enrollments.csv",
        [
            "enrollment_id",
            "programme",
            "case_id",
            "household_id",
            "id_number",
            "covered_id_numbers",
            "start_date",
            "monthly_amount",
            "account_number",
        ],
        [
            ["E1", "DIBAO", "C1", "H1", "", f"{WANG};{LI}", "2026-01-01", "1,040.00", ACCOUNT_WANG],
            ["E2", "DIBAO", "", "H1", "", f"{WANG};{LI}", "2026-01-01", "1040", ACCOUNT_WANG],
        ],
    )


def _without_history(nodes, rels):  # type: ignore[no-untyped-def]
    return (
        # Corrections, and the partners' change log that told of them, are history.
        {
            k: v
            for k, v in nodes.items()
            if "Correction" not in k and "PartnerChange" not in k and '"partner_changes"' not in k
        },
        {k: v for k, v in rels.items() if "CORRECTED" not in k},
    )


def _xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_excel_export_with_chinese_headers_loads(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    from datetime import date

    county(graph, settings, tmp_path / "c")
    persons = _xlsx(
        tmp_path / "persons_GA.xlsx",
        ["身份证号", "姓名", "性别", "出生日期", "户编号", "与户主关系", "入户日期"],
        [
            [WANG, "王建国", "M", date(1950, 3, 4), "H1", "head", date(2001, 1, 1)],
            [ZHAO, "赵磊", "M", date(1980, 1, 9), "H2", "head", "2005-05-05"],
            [3.70831196001011e17, "坏号", "M", date(1960, 1, 1), "H2", "other", date(2005, 5, 5)],
        ],
    )  # Excel's damage
    deposits = _xlsx(
        tmp_path / "deposits_YH.xlsx",
        ["记录编号", "身份证号", "来源部门", "核对日期", "开户行", "余额"],
        [["D9", LI, "YH", date(2026, 5, 1), "中国银行", 1200.5]],
    )
    result = load(settings, persons, deposits, rejects=tmp_path / "rejects")
    assert result.exit_code == 0, result.output
    assert query(
        graph, settings, "MATCH (d:Deposit {record_id: 'D9'}) RETURN d.bank AS bank, d.balance_fen AS fen"
    ) == [{"bank": "中国银行", "fen": 120050}]
    (reject,) = rejects_of(tmp_path / "rejects", "persons_GA.xlsx")
    assert reject["line"] == "4" and reject["field"] == "id_number"


def test_dry_run_shows_feed_encoding_header_mapping_and_rejects_and_writes_nothing(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    households = tmp_path / "households.csv"
    households.write_text("户编号,村编码,地址\nH7,370831100001,东村7号\nH8,370831100001,\n", encoding="gbk")
    result = CliRunner().invoke(
        app, ["load", str(households), "--dry-run", "--rejects-dir", str(tmp_path / "rejects")], obj=settings
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "feed households, gb18030, 2 rows: 1 valid, 1 rejected" in out
    assert "column '户编号' read as household_id" in out and "line 3: address" in out
    assert "dry run: nothing was written" in out
    assert (
        query(graph, settings, "MATCH (h:Household) RETURN h") == [] and not (tmp_path / "rejects").exists()
    )


def _mounted(path: Path, *options: str) -> bool:
    """A tiny tmpfs at `path` (root only, as on the county's servers and in CI)."""
    import subprocess

    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(("size=64k", *options)), "tmpfs", str(path)],
        capture_output=True,
    )
    return done.returncode == 0


def _unmount(path: Path) -> None:
    import subprocess

    subprocess.run(["umount", str(path)], capture_output=True)


def test_a_full_disk_or_a_read_only_rejects_directory_ends_in_one_line(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import pytest

    county(graph, settings, tmp_path / "c")
    tiny, frozen = tmp_path / "tiny", tmp_path / "frozen"
    if not _mounted(tiny):
        pytest.skip("mounting a tmpfs needs root")
    try:
        assert _mounted(frozen, "ro")
        # 3,000 rejected rows (~400 KB of rejects) into 64 KB.
        rows = [[f"HX{i}", "unknown-village-" + "x" * 120, "东村1号"] for i in range(3000)]
        households = write_csv(tmp_path / "households.csv", ["household_id", "village_code", "address"], rows)
        full = load(settings, households, rejects=tiny)
        assert full.exit_code == 1 and "Traceback" not in full.output
        assert len(full.stderr.strip().splitlines()) == 1 and "No space left on device" in full.stderr
        assert "run the same command again" in full.stderr
        assert list(tiny.iterdir()) == []  # no rejects file cut mid-row
        read_only = load(settings, households, rejects=frozen)
        assert read_only.exit_code == 2 and len(read_only.stderr.strip().splitlines()) == 1
        assert "Read-only file system" in read_only.stderr
    finally:
        _unmount(tiny)
        _unmount(frozen)


def test_gbk_that_reads_as_cyrillic_or_armenian_utf8_is_refused_naming_the_encoding(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    # GBK 员斜 and 芫袙訍 are also valid UTF-8, which reads them as "Աб" and "ܾВӐ".
    for name in ("员斜", "芫袙訍"):
        households = tmp_path / name / "households.csv"
        households.parent.mkdir()
        households.write_bytes(f"household_id,village_code,address\nH7,370831100001,{name}\n".encode("gbk"))
        result = load(settings, households, rejects=tmp_path / "rejects")
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert "the encoding is ambiguous" in result.output and "--encoding gb18030" in result.output
    assert query(graph, settings, "MATCH (h:Household) RETURN h") == []


def _stored_xlsx(path: Path, sheet: str) -> Path:
    """An .xlsx written part by part, as a hostile tool might: nothing checks what it holds."""
    import zipfile

    main = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{main}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{main}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}/spreadsheetml/2006/main" '
        f'xmlns:r="{main}/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{main}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{main}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}/spreadsheetml/2006/main"><sheetData>{sheet}'
        "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return path


def _inline(ref: str, text: str, *, reference: bool = True) -> str:
    at = f' r="{ref}"' if reference else ""
    return f'<c{at} t="inlineStr"><is><t>{text}</t></is></c>'


def test_an_xlsx_with_a_cell_at_xfd1048576_is_refused_in_one_line(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    header = "".join(
        _inline(f"{c}1", h) for c, h in zip("ABC", ["household_id", "village_code", "address"], strict=True)
    )
    far = _stored_xlsx(
        tmp_path / "households.xlsx",
        f'<row r="1">{header}</row><row r="1048576">{_inline("XFD1048576", "x")}</row>',
    )
    assert far.stat().st_size < 2000
    # Far below instead of far right; and cells without references, which follow the one before.
    deep = _stored_xlsx(
        tmp_path / "households-deep.xlsx",
        f'<row r="1">{header}</row><row r="1048576">{_inline("ALL1048576", "x")}</row>',
    )
    bare = "".join(_inline("", "x", reference=False) for _ in range(1200))
    wide = _stored_xlsx(tmp_path / "households-wide.xlsx", f'<row r="1">{header}{bare}</row>')
    for path, reason in (
        (far, "spans 16,384 columns"),
        (deep, "spans 1,048,576 rows by 1,000 columns"),
        (wide, "spans 1,001 columns"),
    ):
        result = load(settings, path, rejects=tmp_path / "rejects")
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1 and reason in result.output, result.output
    assert query(graph, settings, "MATCH (h:Household) RETURN h") == []
    fine = _stored_xlsx(tmp_path / "households-ok.xlsx", f'<row r="1">{header}</row>')
    assert load(settings, fine, rejects=tmp_path / "rejects").exit_code == 0


def test_a_million_columns_are_refused_quickly_in_a_short_line(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:

    households = tmp_path / "households.csv"
    households.write_text(
        "household_id,village_code,address,"
        + ",".join(f"c{i}" for i in range(1_000_000))
        + "\nH7,370831100001,东村7号"
        + "," * 1_000_000
        + "\n",
        encoding="utf-8",
    )
    # Refused on the column cap, before any per-column work (a quadratic duplicate check
    # never finished on this file); the check's own cost is a benchmark's, not a test's.
    result = load(settings, households, rejects=tmp_path / "rejects")
    assert result.exit_code == 2 and "1,000,003 columns; a feed has at most 1,000" in result.output
    assert len(result.output) < 300
    duplicated = write_csv(
        tmp_path / "households-twice.csv",
        ["household_id", "village_code", "address", *[f"c{i % 300}" for i in range(900)]],
        [],
    )
    result = load(settings, duplicated, rejects=tmp_path / "rejects")
    assert result.exit_code == 2 and "c0, c1, c10, c100, c101 and 295 more appear twice" in result.output
    assert len(result.output) < 300


def _persons(path: Path, names: list[str]) -> Path:
    return write_csv(
        path,
        ["document_type", "id_number", "name", "household_id", "relation", "member_since"],
        [["passport", f"E9{i:07d}", name, "H1", "other", "2001-01-01"] for i, name in enumerate(names)],
    )


def test_invisible_bidirectional_or_html_names_are_rejected_rows(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "c")
    hostile = [
        "\u200b\u200b",
        "\u202eAdam",
        "王\u2066建国",
        "阿\u061c里",
        "Eve\u200f",
        "<script>x</script>",
        "<b>李</b>",
        "a>b",
        "\u200d\u2060\ufeff",
        "。。",
    ]
    persons = _persons(
        tmp_path / "persons_GA.csv", [*hostile, "王\u200b小明", "阿卜杜拉·买买提", "John O'Brien"]
    )
    result = load(settings, persons, rejects=tmp_path / "rejects")
    assert result.exit_code == 0, result.output
    reasons = [(r["field"], r["reason"]) for r in rejects_of(tmp_path / "rejects", "persons_GA.csv")]
    assert len(reasons) == len(hostile) and all(field == "name" for field, _ in reasons), reasons
    assert "only invisible characters" in reasons[0][1] and "U+202E" in reasons[1][1]
    assert "markup" in reasons[5][1] and "no letters" in reasons[9][1]
    names = query(
        graph,
        settings,
        "MATCH (p:Person) WHERE p.id_number STARTS WITH 'E9' RETURN p.name AS name ORDER BY name",
    )
    assert [n["name"] for n in names] == sorted(["王小明", "阿卜杜拉·买买提", "John O'Brien"])


def test_a_jsonl_row_with_a_key_given_twice_is_rejected(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "c")
    payments = tmp_path / "payments_CZ.jsonl"
    row = (
        f'"payment_id": "P7", "enrollment_id": "E1", "period": "2026-03", "paid_date": "2026-03-10", '
        f'"account_number": "{ACCOUNT_WANG}"'
    )
    payments.write_text(
        "{"
        + row
        + ', "amount": "10.00", "amount": "99999.00"}\n'
        + "{"
        + row.replace("P7", "P8")
        + ', "amount": "10.00"}\n',
        encoding="utf-8",
    )
    result = load(settings, payments, rejects=tmp_path / "rejects")
    assert result.exit_code == 0, result.output
    (reject,) = rejects_of(tmp_path / "rejects", "payments_CZ.jsonl")
    assert reject["line"] == "1" and "'amount' appears twice" in reject["reason"]
    assert query(
        graph,
        settings,
        "MATCH (p:Payment) WHERE p.payment_id IN ['P7', 'P8'] RETURN p.payment_id AS id, p.amount_fen AS fen",
    ) == [{"id": "P8", "fen": 1000}]


def test_dates_in_year_one_or_absurd_years_are_rejected(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    county(graph, settings, tmp_path / "c")
    visits = write_csv(
        tmp_path / "visits.csv",
        ["visit_id", "household_id", "staff_id", "visit_date"],
        [
            ["V1", "H1", "S1", "0001-01-01"],
            ["V2", "H1", "S1", "1899-12-31"],
            ["V3", "H1", "S1", "9999-12-31"],
            ["V4", "H1", "S1", "2026-05-01"],
            ["V5", "H1", "S1", "1900-01-01"],
        ],
    )
    # A passport holder's birth date goes back as far as an ID number's (1880), never past today.
    persons = write_csv(
        tmp_path / "persons_GA.csv",
        ["document_type", "id_number", "name", "birth_date", "household_id", "relation", "member_since"],
        [
            ["passport", "E7000001", "Old Tom", "1885-02-03", "H1", "other", "2001-01-01"],
            ["passport", "E7000002", "Baby Ann", "2990-01-01", "H1", "other", "2001-01-01"],
            ["passport", "E7000003", "Ann Lee", "0001-01-01", "H1", "other", "2001-01-01"],
        ],
    )
    result = load(settings, visits, persons, rejects=tmp_path / "rejects")
    assert result.exit_code == 0, result.output
    reasons = {r["line"]: (r["field"], r["reason"]) for r in rejects_of(tmp_path / "rejects", "visits.csv")}
    assert set(reasons) == {"2", "3", "4"} and all(f == "visit_date" for f, _ in reasons.values())
    assert "0001-01-01 is out of range (1900-01-01 to" in reasons["2"][1]
    assert {r["id"] for r in query(graph, settings, "MATCH (v:Visit) RETURN v.visit_id AS id")} == {
        "V4",
        "V5",
    }
    reasons = {
        r["line"]: (r["field"], r["reason"]) for r in rejects_of(tmp_path / "rejects", "persons_GA.csv")
    }
    assert set(reasons) == {"3", "4"} and "birth date 2990-01-01 is out of range" in reasons["3"][1]
    assert query(graph, settings, "MATCH (p:Person {id_number: 'E7000001'}) RETURN p.birth_date AS born") == [
        {"born": date(1885, 2, 3)}
    ]
