import pytest
from neo4j import Driver
from neo4j.exceptions import ConstraintError

from graph.migrations import LATEST_VERSION, MIGRATIONS, current_version, migrate
from settings import Settings


def test_schema_version_is_recorded_and_migrate_is_idempotent(graph: Driver, settings: Settings) -> None:
    assert current_version(graph, settings.neo4j_database) == LATEST_VERSION
    assert migrate(graph, settings.neo4j_database) == []  # nothing left to apply
    assert current_version(graph, settings.neo4j_database) == LATEST_VERSION


def test_every_natural_key_has_a_uniqueness_constraint(graph: Driver, settings: Settings) -> None:
    records, _, _ = graph.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type WHERE type = 'UNIQUENESS' "
        "RETURN labelsOrTypes[0] AS label, properties[0] AS prop",
        database_=settings.neo4j_database,
    )
    present = {(r["label"], r["prop"]) for r in records}
    for label, prop in [
        ("Person", "id_number"),
        ("Household", "household_id"),
        ("Programme", "code"),
        ("Department", "code"),
        ("BankAccount", "number"),
        ("Phone", "number"),
        ("Address", "key"),
        ("Case", "case_id"),
        ("Payment", "payment_id"),
    ]:
        assert (label, prop) in present


def test_duplicate_id_number_is_refused_by_the_database(graph: Driver, settings: Settings) -> None:
    graph.execute_query(
        "CREATE (:Person {id_number: '11010519491231002X'})", database_=settings.neo4j_database
    )
    with pytest.raises(ConstraintError):
        graph.execute_query(
            "CREATE (:Person {id_number: '11010519491231002X'})", database_=settings.neo4j_database
        )


def test_full_text_index_finds_chinese_names(graph: Driver, settings: Settings) -> None:
    graph.execute_query(
        "CREATE (:Person {id_number: '1', name: '刘建兵'}), (:Person {id_number: '2', name: '黄芳'})",
        database_=settings.neo4j_database,
    )
    graph.execute_query(
        "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()", database_=settings.neo4j_database
    )
    records, _, _ = graph.execute_query(
        "CALL db.index.fulltext.queryNodes('person_name_search', $q) YIELD node RETURN node.name AS name",
        q='"建兵"',
        database_=settings.neo4j_database,
    )
    assert [r["name"] for r in records] == ["刘建兵"]
    records, _, _ = graph.execute_query(
        "CALL db.index.fulltext.queryNodes('person_name_search', $q) YIELD node RETURN node.name AS name",
        q='"黄"',
        database_=settings.neo4j_database,
    )
    assert [r["name"] for r in records] == ["黄芳"]


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_a_forked_audit_chain_is_kept_and_reported_when_its_head_is_made_unique(graph, settings) -> None:  # type: ignore[no-untyped-def]
    from access.audit_chain import verify_chain
    from graph.migrations import FORK_HEADS_RENAMED

    db = settings.neo4j_database
    # A database from before migration 11: two servers each made a head and an event 1.
    graph.execute_query("DROP CONSTRAINT audit_chain_name IF EXISTS", database_=db)
    graph.execute_query(
        "CREATE (:AuditChain {name: 'audit', seq: 1, hash: 'a'}), "
        "(:AuditChain {name: 'audit', seq: 2, hash: 'b'})",
        database_=db,
    )
    last = [m for m in MIGRATIONS if m.version == 11][0]
    assert last.statements[0] == FORK_HEADS_RENAMED
    for statement in last.statements:  # what migrate() runs for it
        graph.execute_query(statement, database_=db)
    heads = graph.execute_query(
        "MATCH (c:AuditChain) RETURN c.name AS name, c.seq AS seq ORDER BY name", database_=db
    ).records
    assert [(h["name"], h["seq"]) for h in heads] == [("audit", 2), ("audit-fork-1", 1)]
    from access.audit_chain import APPEND, GENESIS, HEAD, chained

    head = graph.execute_query(HEAD, database_=db).records[0]  # left where it is: only the events fork
    for server in ("one", "two"):  # each server chained its own event 1 to the genesis
        event = {
            "subject": server,
            "role": "investigator",
            "person_id_number": "370831195003040118",
            "categories": ["basic"],
            "purpose": "fork test",
            "operation": "person",
            "outcome": "shown",
            "at": "2026-11-29T12:00:00+00:00",
        }
        linked, _, _ = chained([event], 0, GENESIS)
        graph.execute_query(APPEND, events=linked, seq=head["seq"], hash=head["hash"], database_=db)
    report = verify_chain(graph, db)
    assert not report.ok and "forked" in (report.problem or ""), report
