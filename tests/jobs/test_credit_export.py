"""Exactly-once export of credit changes: to an outbox folder and to a real HTTP receiver,
with the job killed at every step and a receiver that fails intermittently, and one that
also refuses some records (the rest flows; the refused ones are dead letters, re-sent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from credit.catalogue import read_catalogue
from credit.records import CreditStep
from jobs.credit_expiry import apply_step, expire_due
from jobs.credit_export import (
    NEVER_CONFIRMED,
    HttpSink,
    OutboxSink,
    OutboxUnwritable,
    accepted_digest,
    export_changes,
    retry_dead_letters,
)
from reliefgraph.cli import app
from settings import CREDIT_CATALOGUE_FILE, Settings
from tests.jobs.receiver import Chaos, Receiver, RunningReceiver

RECORDS = 23
BATCH = 5  # 23 decided + 23 published changes: 10 batches, the last one partial
TOKEN = "platform-token"

DRAFTS = """
UNWIND range(1, $n) AS i
CREATE (:CreditRecord {record_id: 'DR-T' + toString(i), status: 'notified', version: 1, defence_waived: true,
  subject_name: '测试' + toString(i),
  id_number: '11010519491231002X', behaviour: 'concealment', legal_basis: '第六十八条', severity: 'general',
  amount_fen: 100 * i})
"""


class Crash(BaseException):
    """The job dies here (nothing after it runs: no except clause catches a BaseException)."""


@pytest.fixture
def changes(graph: Driver, settings: Settings) -> list[str]:
    """Decided then published records: 2 x RECORDS numbered changes on the feed."""
    db = settings.neo4j_database
    graph.execute_query(DRAFTS, n=RECORDS, database_=db)
    for i in range(1, RECORDS + 1):
        apply_step(
            graph,
            db,
            f"DR-T{i}",
            CreditStep.DECIDE,
            1,
            by="officer",
            role="credit_officer",
            changes={
                "decision_number": f"N{i}",
                "decision_date": date(2026, 11, 1),
                "deciding_authority": "泗水县民政局",
                "aid_stopped": True,
            },
        )
    for i in range(1, RECORDS + 1):
        apply_step(
            graph,
            db,
            f"DR-T{i}",
            CreditStep.PUBLISH,
            2,
            by="officer",
            role="credit_officer",
            changes={"publicity_start": date(2026, 11, 2), "publicity_end": date(2029, 11, 2)},
        )
    records, _, _ = graph.execute_query(
        "MATCH (c:CreditChange) RETURN c.change_id AS id ORDER BY c.sequence", database_=db
    )
    return [r["id"] for r in records]


def crash_at(step: str, number: int):  # type: ignore[no-untyped-def]
    def fault(at: str, batch: int) -> None:
        if (at, batch) == (step, number):
            raise Crash(f"{step} of batch {batch}")

    return fault


def delivered_outbox(folder: Path) -> list[str]:
    """What the platform reads: the records of every committed (manifested) batch, checked."""
    keys = []
    for manifest in sorted(folder.glob("batch-*.manifest.json")):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        lines = (folder / m["data_file"]).read_text(encoding="utf-8").splitlines()
        assert len(lines) == m["count"]
        keys += [json.loads(line)["idempotency_key"] for line in lines]
    return keys


STEPS = [
    ("before_send", 1),
    ("mid_batch", 1),
    ("after_send", 1),
    ("after_ack", 1),
    ("before_send", 4),
    ("mid_batch", 4),
    ("after_send", 4),
    ("after_ack", 4),
    ("after_send", 10),
]


def test_the_feed_is_numbered_without_gaps(changes: list[str]) -> None:
    assert changes == [f"CC-{i}" for i in range(1, 2 * RECORDS + 1)]


@pytest.mark.parametrize(("step", "batch"), STEPS)
def test_outbox_exactly_once_when_killed(
    graph: Driver, settings: Settings, tmp_path: Path, changes: list[str], step: str, batch: int
) -> None:
    folder = tmp_path / "outbox"
    with pytest.raises(Crash):
        export_changes(graph, settings.neo4j_database, OutboxSink(folder), BATCH, fault=crash_at(step, batch))
    report = export_changes(graph, settings.neo4j_database, OutboxSink(folder), BATCH)
    assert delivered_outbox(folder) == changes  # all, once, in order
    assert report.acknowledged == len(changes)
    again = export_changes(graph, settings.neo4j_database, OutboxSink(folder), BATCH)
    assert again.records == 0 and delivered_outbox(folder) == changes


def flaky() -> Chaos:
    return Chaos(refuse_every=3, lose_reply_every=4, slow_every=7, slow_seconds=0.4)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, RunningReceiver]]:
    r = Receiver(TOKEN, flaky())
    running = RunningReceiver(r)
    yield r, running
    running.stop()


# Records the refusing receiver will not take: one refused in a 200 (its two changes fall in
# batches 2 and 7), one whose requests become a 422, one it never confirms.
REFUSED, REJECTED, IGNORED = "DR-T7", "DR-T13", "DR-T19"


def refusing() -> Chaos:
    chaos = flaky()
    chaos.refuse_records = frozenset({REFUSED})
    chaos.reject_records = frozenset({REJECTED})
    chaos.ignore_records = frozenset({IGNORED})
    return chaos


def keys_of(graph: Driver, settings: Settings, records: set[str]) -> list[str]:
    rows, _, _ = graph.execute_query(
        "MATCH (c:CreditChange) WHERE c.record_id IN $ids RETURN c.change_id AS id ORDER BY c.sequence",
        ids=sorted(records),
        database_=settings.neo4j_database,
    )
    return [r["id"] for r in rows]


def dead_letters(graph: Driver, settings: Settings) -> dict[str, tuple[str, str]]:
    rows, _, _ = graph.execute_query(
        "MATCH (l:DeadLetter) RETURN l.change_id AS id, l.status AS status, l.reason AS reason",
        database_=settings.neo4j_database,
    )
    return {r["id"]: (r["status"], r["reason"]) for r in rows}


def by_sequence(keys) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(keys, key=lambda k: int(k[3:]))


@pytest.mark.parametrize("refuses", [False, True], ids=["accepts-all", "refuses-some"])
@pytest.mark.parametrize(("step", "batch"), STEPS)
def test_http_exactly_once_when_killed_and_the_receiver_fails(
    graph: Driver, settings: Settings, changes: list[str], step: str, batch: int, refuses: bool
) -> None:
    r = Receiver(TOKEN, refusing() if refuses else flaky())
    running = RunningReceiver(r)
    try:
        sink = HttpSink(running.url, TOKEN, timeout_s=0.2, attempts=8, chunk_size=2, backoff_s=0.01)
        with pytest.raises(Crash):
            export_changes(graph, settings.neo4j_database, sink, BATCH, fault=crash_at(step, batch))
        report = export_changes(graph, settings.neo4j_database, sink, BATCH)
        refused = keys_of(graph, settings, {REFUSED, REJECTED, IGNORED}) if refuses else []
        # Every change the receiver took is stored exactly once; the refused ones, not at all.
        assert by_sequence(r.stored) == [k for k in changes if k not in refused]
        assert report.acknowledged == len(changes)  # the refusals blocked nothing after them
        assert r.failures > 0  # the receiver did fail along the way
        assert r.arrivals.most_common(1)[0][1] > 1  # and resent records were recognised, not stored again
        letters = dead_letters(graph, settings)
        assert by_sequence(letters) == refused and report.open_dead_letters == len(refused)
        if not refuses:
            return
        assert letters[refused[0]] == ("open", "行为代码不在目录中")
        assert {letters[k][1] for k in keys_of(graph, settings, {REJECTED})} == {"未知的信用主体"}
        assert {letters[k][1] for k in keys_of(graph, settings, {IGNORED})} == {NEVER_CONFIRMED}
        # The platform fixes its catalogue; the officer re-sends the dead letters.
        r.chaos = flaky()
        resent = retry_dead_letters(graph, settings.neo4j_database, sink, by="officer")
        sink.close()
        assert (resent.resent, resent.still_refused, resent.open_dead_letters) == (len(refused), 0, 0)
        assert by_sequence(r.stored) == changes  # now all, once
        assert {s for s, _ in dead_letters(graph, settings).values()} == {"resent"}
    finally:
        running.stop()


def test_a_receiver_that_refuses_the_token_stops_the_export(
    graph: Driver, settings: Settings, changes: list[str], receiver
) -> None:  # type: ignore[no-untyped-def]
    from jobs.credit_export import ExportError

    r, running = receiver
    sink = HttpSink(running.url, "wrong-token", timeout_s=1, attempts=2, backoff_s=0.01)
    with pytest.raises(ExportError, match="401"):
        export_changes(graph, settings.neo4j_database, sink, BATCH)
    sink.close()
    assert r.stored == {}
    records, _, _ = graph.execute_query(
        "MATCH (c:ExportCursor) RETURN c.acknowledged AS a", database_=settings.neo4j_database
    )
    assert [x["a"] for x in records] == [0]  # nothing acknowledged


def test_records_expire_at_the_end_of_their_publicity(
    graph: Driver, settings: Settings, changes: list[str], tmp_path: Path
) -> None:
    db = settings.neo4j_database
    assert expire_due(graph, db, date(2029, 11, 2)) == []  # the last day of publicity
    expired = expire_due(graph, db, date(2029, 11, 2) + timedelta(days=1))
    assert len(expired) == RECORDS
    folder = tmp_path / "outbox"
    export_changes(graph, db, OutboxSink(folder), BATCH)
    kinds = [
        json.loads(line)["change"]
        for f in sorted(folder.glob("batch-*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    ]
    assert kinds.count("expired") == RECORDS and kinds[-1] == "expired"


def test_an_outbox_that_cannot_be_made_is_one_line(settings: Settings, tmp_path: Path) -> None:
    # Root writes through any mode bits; a folder under a regular file stops root too.
    (tmp_path / "a-file").write_text("")
    outbox = tmp_path / "a-file" / "outbox"
    result = CliRunner().invoke(app, ["export", "credit", "--outbox", str(outbox)], obj=settings)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == f"nothing exported: cannot write the outbox {outbox}: Not a directory\n"


def test_an_outbox_that_fails_mid_export_is_one_line_and_loses_nothing(
    graph: Driver, settings: Settings, tmp_path: Path, changes: list[str]
) -> None:
    folder = tmp_path / "outbox"
    blocker = folder / "batch-000000000006-000000000010.jsonl.tmp"

    def disk_fails(step: str, number: int) -> None:
        if (step, number) == ("before_send", 2):  # where batch 2 is written, something that takes no file
            blocker.mkdir()

    with pytest.raises(OutboxUnwritable, match=f"cannot write the outbox {folder}: Is a directory"):
        export_changes(graph, settings.neo4j_database, OutboxSink(folder), BATCH, fault=disk_fails)
    assert delivered_outbox(folder) == changes[:BATCH]  # batch 1 delivered and acknowledged, no more
    # Still in the way when the job runs again: one line from the command, exit 1.
    result = CliRunner().invoke(
        app, ["export", "credit", "--outbox", str(folder), "--batch-size", str(BATCH)], obj=settings
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == (
        f"export stopped: cannot write the outbox {folder}: Is a directory. "
        "Nothing unacknowledged is lost: run it again.\n"
    )
    blocker.rmdir()
    export_changes(graph, settings.neo4j_database, OutboxSink(folder), BATCH)
    assert delivered_outbox(folder) == changes


def test_the_command_exits_non_zero_while_dead_letters_wait_and_retry_dead_resends(
    graph: Driver, settings: Settings, changes: list[str]
) -> None:
    from pydantic import SecretStr

    r = Receiver(TOKEN, Chaos(refuse_records=frozenset({REFUSED})))
    running = RunningReceiver(r)
    configured = settings.model_copy(update={"credit_export_token": SecretStr(TOKEN)})
    command = ["export", "credit", "--url", running.url, "--batch-size", str(BATCH), "--json"]
    try:
        first = CliRunner().invoke(app, command, obj=configured)
        refused = keys_of(graph, settings, {REFUSED})
        assert first.exit_code == 2 and "Traceback" not in first.output
        assert json.loads(first.stdout)["open_dead_letters"] == len(refused) == 2
        assert "2 refused records wait in the dead letters" in first.stderr
        assert by_sequence(r.stored) == [k for k in changes if k not in refused]
        again = CliRunner().invoke(app, [*command, "--retry-dead"], obj=configured)
        assert again.exit_code == 2  # still refused: the record was not corrected yet
        r.chaos = Chaos()
        fixed = CliRunner().invoke(app, [*command, "--retry-dead"], obj=configured)
        assert fixed.exit_code == 0, fixed.output
        assert json.loads(fixed.stdout)["resent"] == 2 and by_sequence(r.stored) == changes
        # Reconciliation: our count and digest of what was accepted against the receiver's own.
        check = CliRunner().invoke(app, [*command, "--reconcile"], obj=configured)
        assert check.exit_code == 0, check.output
        summary = json.loads(check.stdout)
        (day,) = summary["days"]
        assert (day["sent"], day["refused"], day["accepted"]) == (len(changes), 2, len(changes))
        assert day["digest"] == accepted_digest(list(r.stored)) and summary["difference"] == 0
        # The receiver reports holding two fewer than it confirmed (it lost them).
        graph.execute_query(
            "MATCH (c:ExportCursor) SET c.receiver_count = $n",
            n=len(changes) - 2,
            database_=settings.neo4j_database,
        )
        lost = CliRunner().invoke(app, [*command, "--reconcile"], obj=configured)
        assert lost.exit_code == 1 and json.loads(lost.stdout)["difference"] == -2
    finally:
        running.stop()


def test_a_dead_letter_is_withdrawn_from_the_command_line(
    graph: Driver, settings: Settings, changes: list[str]
) -> None:
    from pydantic import SecretStr

    r = Receiver(TOKEN, Chaos(refuse_records=frozenset({REFUSED})))
    running = RunningReceiver(r)
    configured = settings.model_copy(update={"credit_export_token": SecretStr(TOKEN)})
    command = ["export", "credit", "--url", running.url, "--batch-size", str(BATCH)]
    try:
        assert CliRunner().invoke(app, command, obj=configured).exit_code == 2
        first, second = keys_of(graph, settings, {REFUSED})  # decided and published: two letters
        withdraw = [*command, "--withdraw-dead"]
        reason = ["--reason", "the platform must not hold this record: it was drafted in error"]
        for wrong, said in (
            ([*withdraw, "DR-T7", *reason], "is not a change's key"),
            ([*withdraw, first], "say why with --reason"),
            ([*withdraw, "CC-999", *reason], "no dead letter of CC-999"),
        ):
            refused = CliRunner().invoke(app, wrong, obj=configured)
            assert refused.exit_code == 2 and said in refused.stderr and "Traceback" not in refused.output
        done = CliRunner().invoke(app, [*withdraw, first, *reason, "--by", "mz-credit"], obj=configured)
        assert done.exit_code == 0, done.output
        again = CliRunner().invoke(app, [*withdraw, first, *reason], obj=configured)
        assert again.exit_code == 2 and "is withdrawn, not open" in again.stderr
        rows, _, _ = graph.execute_query(
            "MATCH (l:DeadLetter) RETURN l.change_id AS key, l.status AS status, l.withdrawn_by AS by, "
            "l.withdrawal_reason AS why ORDER BY l.sequence",
            database_=settings.neo4j_database,
        )
        assert [(x["key"], x["status"], x["by"]) for x in rows] == [
            (first, "withdrawn", "mz-credit"),
            (second, "open", None),
        ]
        assert rows[0]["why"] == reason[1]
        assert CliRunner().invoke(app, command, obj=configured).exit_code == 2  # one still open
        assert CliRunner().invoke(app, [*withdraw, second, *reason], obj=configured).exit_code == 0
        assert CliRunner().invoke(app, command, obj=configured).exit_code == 0
    finally:
        running.stop()


def test_the_export_sends_the_platforms_catalogue(
    graph: Driver, settings: Settings, tmp_path: Path, changes: list[str]
) -> None:
    """Both sinks send the catalogue's form, named by its version (rules/credit-catalogue.toml)."""
    folder = tmp_path / "outbox"
    export_changes(graph, settings.neo4j_database, OutboxSink(folder), BATCH)
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.manifest.json")]
    assert {m["catalogue"] for m in manifests} == {"credit-catalogue/1"}
    first = json.loads((folder / manifests[0]["data_file"]).read_text(encoding="utf-8").splitlines()[0])
    r = Receiver(TOKEN)
    running = RunningReceiver(r)
    try:
        sink = HttpSink(running.url, TOKEN, backoff_s=0.01)
        export_changes(graph, settings.neo4j_database, sink, BATCH)
        sink.close()
    finally:
        running.stop()
    assert r.bodies == {"credit-catalogue/1": r.requests}  # every request's body names it too
    for sent in (first, r.stored[first["idempotency_key"]]):
        assert sent["catalogue"] == "credit-catalogue/1"
        record = sent["record"]
        assert (record["xinxi_bianhao"], record["shixin_xingwei"]) == (
            sent["record_id"],
            "隐瞒家庭收入、财产状况骗取社会救助",
        )
        assert (record["zhengjian_leixing"], record["rending_riqi"]) == ("111", "2026-11-01")
        assert "behaviour" not in record and "zhengjian_haoma" in record


def test_a_platform_on_another_catalogue_version_refuses_until_the_file_follows(
    graph: Driver, settings: Settings, tmp_path: Path, changes: list[str]
) -> None:
    """The version travels with every record: a platform that moved on refuses the old form
    (dead letters, nothing lost); raising the file's version and re-sending delivers them all."""
    db = settings.neo4j_database
    r = Receiver(TOKEN, catalogue="credit-catalogue/2")
    running = RunningReceiver(r)
    try:
        sink = HttpSink(running.url, TOKEN, backoff_s=0.01)
        report = export_changes(graph, db, sink, BATCH)
        assert (report.acknowledged, report.refused, r.stored) == (len(changes), len(changes), {})
        assert {why for _, why in dead_letters(graph, settings).values()} == {
            "目录版本不符，应为 credit-catalogue/2"
        }
        moved = tmp_path / "credit-catalogue.toml"
        text = CREDIT_CATALOGUE_FILE.read_text(encoding="utf-8")
        moved.write_text(text.replace('version = "1"', 'version = "2"', 1), encoding="utf-8")
        resent = retry_dead_letters(graph, db, sink, by="officer", catalogue=read_catalogue(moved))
        sink.close()
    finally:
        running.stop()
    assert (resent.resent, resent.still_refused, resent.open_dead_letters) == (len(changes), 0, 0)
    assert by_sequence(r.stored) == changes
    assert {s["catalogue"] for s in r.stored.values()} == {"credit-catalogue/2"}
