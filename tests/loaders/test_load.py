"""Loading department exports into the real Neo4j."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from neo4j import Driver

from loaders.reading import FileFormatError
from loaders.run import Loader
from settings import Settings
from tests.graphdump import dump
from tests.loaders.mini_county import (
    ACCOUNT_WANG,
    CHEN,
    LI,
    SMITH,
    VILLAGE_A,
    WANG,
    ZHAO,
    write_csv,
    write_mini_county,
)


def one(driver: Driver, settings: Settings, query: str, **params):  # type: ignore[no-untyped-def]
    records, _, _ = driver.execute_query(query, params, database_=settings.neo4j_database)
    return records[0] if records else None


def test_mini_county_becomes_the_expected_graph(
    graph: Driver, settings: Settings, tmp_path: Path, rejects_dir: Path
) -> None:
    report = Loader(graph, settings, rejects_dir=rejects_dir).load(write_mini_county(tmp_path))
    assert report.rejected == 0, [f.rejects_file for f in report.files]
    # ID numbers were normalised: lower-case x and the 15-digit form are stored as 18 characters.
    wang = one(
        graph,
        settings,
        "MATCH (p:Person {id_number: $id})-[m:MEMBER_OF]->(h:Household) "
        "RETURN p, m, h.household_id AS household",
        id=WANG,
    )
    assert wang["p"]["name"] == "王建国" and wang["p"]["sex"] == "M"
    assert str(wang["p"]["birth_date"]) == "1950-03-04"
    assert wang["m"]["relation"] == "head" and wang["household"] == "H1"
    assert (
        one(graph, settings, "MATCH (p:Person {id_number: $id}) RETURN p.name AS n", id=ZHAO)["n"] == "赵磊"
    )
    # A foreign resident's passport is accepted as it is, name in Latin script.
    assert (
        one(graph, settings, "MATCH (p:Person {id_number: $id}) RETURN p.document_type AS t", id=SMITH)["t"]
        == "passport"
    )
    # Staff are persons too.
    assert (
        one(
            graph,
            settings,
            "MATCH (s:Person:Staff {staff_id: 'S1'})-[:HANDLED]->(c:Case {case_id: 'C1'}) "
            "RETURN s.id_number AS id",
            id=CHEN,
        )["id"]
        == CHEN
    )
    # Enrollment: programme, grantee, covered members, money in fen.
    enrollment = one(
        graph,
        settings,
        """
        MATCH (e:Enrollment {enrollment_id: 'E1'})-[:GRANTED_TO]->(h:Household),
              (e)-[:FOR_PROGRAMME]->(p:Programme)<-[:RUNS]-(d:Department)
        RETURN e.monthly_amount_fen AS fen, h.household_id AS h, p.code AS prog, d.code AS dept,
               COLLECT { MATCH (e)-[:COVERS]->(m) RETURN m.id_number ORDER BY m.id_number } AS covered
    """,
    )
    assert enrollment["fen"] == 104000 and enrollment["h"] == "H1"
    assert (enrollment["prog"], enrollment["dept"]) == ("DIBAO", "MZ")
    assert enrollment["covered"] == sorted([WANG, LI])
    paid = one(
        graph,
        settings,
        "MATCH (p:Payment)-[:PAID_TO]->(a:BankAccount {number: $acc})<-[:HOLDS_ACCOUNT]-(h) "
        "RETURN sum(p.amount_fen) AS total, collect(DISTINCT h.id_number) AS holders",
        acc=ACCOUNT_WANG,
    )
    assert paid["total"] == 208000 and paid["holders"] == [WANG]
    # A verification fact records its source department and as-of date.
    fact = one(
        graph,
        settings,
        "MATCH (:Person {id_number: $id})-[:HAS_FACT]->(v:Vehicle)-[:REPORTED_BY]->(d) "
        "RETURN v.vehicle_type AS t, str(v.as_of) AS as_of, d.code AS dept".replace("str(", "toString("),
        id=ZHAO,
    )
    assert (fact["t"], fact["as_of"], fact["dept"]) == ("car", "2026-10-01", "GA")
    # Phones were normalised (spaces dropped), so two people share one Phone node.
    assert (
        one(
            graph, settings, "MATCH (ph:Phone {number: '13805370001'})<-[:HAS_PHONE]-(p) RETURN count(p) AS n"
        )["n"]
        == 2
    )
    assert (
        one(
            graph,
            settings,
            "MATCH (v:Village {code: $v})-[:IN_TOWNSHIP]->(:Township)-[:IN_COUNTY]->(c:County) "
            "RETURN c.code AS c",
            v=VILLAGE_A,
        )["c"]
        == "370831"
    )


def test_bad_rows_go_to_the_rejects_file_with_line_and_field(
    graph: Driver, settings: Settings, tmp_path: Path, rejects_dir: Path
) -> None:
    files = write_mini_county(tmp_path / "county")
    persons = write_csv(
        tmp_path / "persons_late.csv",
        ["id_number", "name", "household_id", "relation", "member_since"],
        [
            ["110105194912310021", "坏校验", "H1", "child", "2020-01-01"],  # line 2: check digit
            ["11010519491231002X", "日期错", "H1", "child", "2020-13-01"],  # line 3: date
            ["11010519491231002X", "无此户", "H99", "child", "2020-01-01"],  # line 4: unknown household
            ["11010519491231002X", "短行"],  # line 5: too few fields
            ["11010519491231002X", "好人", "H2", "relative", "2020-01-01"],  # line 6: bad enum
            ["11010519491231002X", "好人", "H2", "other", "2020-01-01"],
        ],
    )  # line 7: fine
    cases = write_csv(
        tmp_path / "cases_bad.csv",
        [
            "case_id",
            "programme",
            "household_id",
            "applicant_id_number",
            "channel",
            "submitted_date",
            "status",
            "commitment_signed",
        ],
        [["C9", "NOPE", "H1", WANG, "window", "2026-01-01", "submitted", "yes"]],
    )
    report = Loader(graph, settings, rejects_dir=rejects_dir).load([*files, persons, cases])

    late = next(f for f in report.files if f.path == persons)
    assert (late.rows, late.loaded, late.rejected) == (6, 1, 5)
    with late.rejects_file.open(encoding="utf-8") as fh:  # type: ignore[union-attr]
        rejects = list(csv.DictReader(fh))
    found = {(int(r["line"]), r["field"]) for r in rejects}
    assert found == {
        (2, "id_number"),
        (3, "member_since"),
        (4, "household_id"),
        (5, "(row)"),
        (6, "relation"),
    }
    assert all(r["file"] == str(persons) for r in rejects)
    reasons = {int(r["line"]): r["reason"] for r in rejects}
    assert "check digit" in reasons[2] and "unknown household H99" in reasons[4]
    bad_case = next(f for f in report.files if f.path == cases)
    assert bad_case.rejected == 1
    # Nothing of a rejected row reached the graph; the good row did.
    names = one(
        graph,
        settings,
        "MATCH (p:Person {id_number: '11010519491231002X'})-[:MEMBER_OF]->(h) "
        "RETURN collect(h.household_id) AS hs, p.name AS name",
    )
    assert names["hs"] == ["H2"] and names["name"] == "好人"
    assert one(graph, settings, "MATCH (h:Household {household_id: 'H99'}) RETURN count(h) AS n")["n"] == 0
    assert one(graph, settings, "MATCH (c:Case {case_id: 'C9'}) RETURN count(c) AS n")["n"] == 0


def test_loading_twice_changes_nothing(
    graph: Driver, settings: Settings, tmp_path: Path, rejects_dir: Path
) -> None:
    files = write_mini_county(tmp_path)
    loader = Loader(graph, settings, rejects_dir=rejects_dir)
    loader.load(files)
    first = dump(graph, settings.neo4j_database)
    loader.load(list(reversed(files)))  # order given does not matter either
    assert dump(graph, settings.neo4j_database) == first
    assert sum(first[0].values()) > 20


def test_a_bad_file_stops_the_load_before_anything_is_written(
    graph: Driver, settings: Settings, tmp_path: Path, rejects_dir: Path
) -> None:
    files = write_mini_county(tmp_path)
    broken = tmp_path / "vehicles_broken.csv"
    broken.write_text("record_id,id_number,plate\nV-2,x,鲁H1\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="vehicles_broken.csv: wrong header: missing column"):
        Loader(graph, settings, rejects_dir=rejects_dir).load([*files, broken])
    nodes, rels = dump(graph, settings.neo4j_database)
    assert not nodes and not rels


def test_file_names_pick_the_feed(
    tmp_path: Path, settings: Settings, graph: Driver, rejects_dir: Path
) -> None:
    from loaders.feeds import UnknownFeed, feed_for

    assert feed_for(Path("persons_GA_2026-11.csv")).name == "persons"
    assert feed_for(Path("payments.jsonl")).name == "payments"
    assert feed_for(Path("relative_filings_MZ.csv")).name == "relative_filings"
    with pytest.raises(UnknownFeed, match="cannot tell which feed"):
        feed_for(Path("export_20261101.csv"))


def test_a_row_contradicting_the_graph_is_rejected_not_fatal(
    graph: Driver, settings: Settings, tmp_path: Path, rejects_dir: Path
) -> None:
    files = write_mini_county(tmp_path / "county")
    # S1 is CHEN's staff id already; a second person claiming it breaks the Staff uniqueness.
    staff = write_csv(
        tmp_path / "staff_more.csv",
        ["staff_id", "id_number", "role", "department", "township_code", "active_from"],
        [
            ["S2", LI, "caseworker", "MZ", "370831100", "2020-01-01"],
            ["S1", WANG, "caseworker", "MZ", "370831100", "2020-01-01"],
        ],
    )
    loader = Loader(graph, settings, rejects_dir=rejects_dir)
    loader.load(files)
    report = loader.load([staff])
    (summary,) = report.files
    assert (summary.loaded, summary.rejected) == (1, 1)
    with summary.rejects_file.open(encoding="utf-8") as fh:  # type: ignore[union-attr]
        (reject,) = list(csv.DictReader(fh))
    assert reject["line"] == "3" and "conflicts with the graph" in reject["reason"]
    assert one(graph, settings, "MATCH (s:Staff {staff_id: 'S2'}) RETURN s.id_number AS id")["id"] == LI
    assert one(graph, settings, "MATCH (s:Staff {staff_id: 'S1'}) RETURN s.id_number AS id")["id"] == CHEN


def test_a_changed_account_holder_is_a_correction_and_a_joint_holder_is_kept(
    graph: Driver, settings: Settings, tmp_path: Path, rejects_dir: Path
) -> None:
    loader = Loader(graph, settings, rejects_dir=rejects_dir)
    loader.load(write_mini_county(tmp_path / "county"))
    # The bank re-exports WANG's account under LI (the holder changed), then adds ZHAO as joint holder.
    changed = write_csv(
        tmp_path / "bank_accounts_YH_2.csv",
        ["account_number", "bank", "holder_id_number"],
        [[ACCOUNT_WANG, "农商行", LI]],
    )
    joint = write_csv(
        tmp_path / "bank_accounts_YH_3.csv",
        ["account_number", "bank", "holder_id_number", "joint_holder"],
        [[ACCOUNT_WANG, "农商行", ZHAO, "是"]],
    )
    for files in ([changed], [joint], [changed, joint]):  # the last: loading both again changes nothing
        report = loader.load(files)
        assert report.rejected == 0
    holders = one(
        graph,
        settings,
        "MATCH (p:Person)-[:HOLDS_ACCOUNT]->(:BankAccount {number: $n}) RETURN collect(p.id_number) AS ids",
        n=ACCOUNT_WANG,
    )["ids"]
    assert sorted(holders) == sorted([LI, ZHAO])
    history = one(
        graph,
        settings,
        "MATCH (:BankAccount {number: $n})-[:CORRECTED]->(c:Correction) "
        "RETURN collect([c.relationship, c.old, c.new]) AS rows",
        n=ACCOUNT_WANG,
    )["rows"]
    assert history == [["HOLDS_ACCOUNT", WANG, LI]]


def test_yes_no_in_chinese_for_staff_and_a_passport_among_the_covered(
    graph: Driver, settings: Settings, tmp_path: Path, rejects_dir: Path
) -> None:
    import openpyxl

    loader = Loader(graph, settings, rejects_dir=rejects_dir)
    loader.load(write_mini_county(tmp_path / "county"))
    header = [
        "staff_id",
        "id_number",
        "role",
        "department",
        "township_code",
        "active_from",
        "public_employee",
    ]
    csv_staff = write_csv(
        tmp_path / "staff_more.csv",
        header,
        [["S7", LI, "grid_worker", "MZ", "370831100", "2020-01-01", "否"]],
    )
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append(["S8", ZHAO, "village_cadre", "MZ", "370831100", "2020-01-01", "是"])
    xlsx_staff = tmp_path / "staff_cadres.xlsx"
    book.save(xlsx_staff)
    # The foreign spouse the persons feed registered by passport, covered by a household grant.
    grant = write_csv(
        tmp_path / "enrollments_more.csv",
        ["enrollment_id", "programme", "household_id", "covered_id_numbers", "start_date"],
        [["E9", "DIBAO", "H3", f"{CHEN};{SMITH.lower()}", "2026-01-01"]],
    )
    report = loader.load([csv_staff, xlsx_staff, grant])
    assert report.rejected == 0, [f.rejects_file for f in report.files]
    staff = one(
        graph,
        settings,
        "MATCH (s:Staff) WHERE s.staff_id IN ['S7', 'S8'] "
        "RETURN collect([s.staff_id, s.public_employee]) AS rows",
    )["rows"]
    assert sorted(staff) == [["S7", False], ["S8", True]]
    covered = one(
        graph,
        settings,
        "MATCH (:Enrollment {enrollment_id: 'E9'})-[:COVERS]->(p:Person) RETURN collect(p.id_number) AS ids",
    )["ids"]
    assert sorted(covered) == sorted([CHEN, SMITH])
