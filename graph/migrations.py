"""Versioned, idempotent schema migrations; the applied version is recorded in the graph.

Each migration is a numbered list of schema statements (all ``IF NOT EXISTS``), so running
``migrate`` again, or concurrently from two processes, changes nothing. New migrations are
appended with the next number; applied ones are never edited.
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver, ManagedTransaction

from graph.model import KEY_PROPERTY, Label


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


def _unique(name: str, label: str, prop: str) -> str:
    # Schema DDL cannot take labels as parameters; names and labels here come from the
    # literal table below, never from input.
    return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"


# Constraint names as first created (a database keeps them); the keys are the model's.
_NATURAL_KEYS = tuple(
    (name, label, KEY_PROPERTY[Label(label)])
    for name, label in (
        ("county_code", "County"),
        ("township_code", "Township"),
        ("village_code", "Village"),
        ("household_id", "Household"),
        ("person_id_number", "Person"),
        ("staff_id", "Staff"),
        ("address_key", "Address"),
        ("phone_number", "Phone"),
        ("bank_account_number", "BankAccount"),
        ("department_code", "Department"),
        ("programme_code", "Programme"),
        ("case_id", "Case"),
        ("enrollment_id", "Enrollment"),
        ("payment_id", "Payment"),
        ("visit_id", "Visit"),
        ("vehicle_fact_id", "Vehicle"),
        ("property_fact_id", "Property"),
        ("business_fact_id", "Business"),
        ("employment_fact_id", "Employment"),
        ("deposit_fact_id", "Deposit"),
        ("income_fact_id", "Income"),
        ("death_fact_id", "Death"),
        ("disability_fact_id", "Disability"),
        ("vulnerability_fact_id", "Vulnerability"),
        ("finding_id", "Finding"),
        ("credit_record_id", "CreditRecord"),
        ("publicity_notice_id", "PublicityNotice"),
        ("schema_version_key", "SchemaVersion"),
    )
)

FORK_HEADS_RENAMED = """
MATCH (c:AuditChain {name: 'audit'})
WITH c ORDER BY c.seq DESC, elementId(c)
WITH collect(c) AS heads
UNWIND range(1, size(heads) - 1) AS i
WITH heads[i] AS extra, i
SET extra.name = 'audit-fork-' + toString(i), extra.forked_at = datetime()
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "uniqueness constraints on every natural key", tuple(_unique(*k) for k in _NATURAL_KEYS)),
    Migration(
        2,
        "lookup indexes and the full-text index on person names",
        (
            "CREATE INDEX person_birth_date IF NOT EXISTS FOR (p:Person) ON (p.birth_date)",
            "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)",
            "CREATE INDEX household_village IF NOT EXISTS FOR (h:Household) ON (h.village_code)",
            "CREATE INDEX enrollment_programme IF NOT EXISTS FOR (e:Enrollment) ON (e.programme_code)",
            "CREATE INDEX payment_period IF NOT EXISTS FOR (p:Payment) ON (p.period)",
            "CREATE INDEX case_status IF NOT EXISTS FOR (c:Case) ON (c.status)",
            "CREATE INDEX finding_kind IF NOT EXISTS FOR (f:Finding) ON (f.kind)",
            # The CJK analyzer indexes Han characters as bigrams, so 刘兵 matches 刘*兵 searches.
            "CREATE FULLTEXT INDEX person_name_fulltext IF NOT EXISTS FOR (p:Person) "
            "ON EACH [p.name, p.name_latin] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
        ),
    ),
    Migration(
        3,
        "the audit trail",
        (
            _unique("audit_event_id", "AuditEvent", "event_id"),
            "CREATE INDEX audit_event_at IF NOT EXISTS FOR (a:AuditEvent) ON (a.at)",
            "CREATE INDEX audit_event_person IF NOT EXISTS FOR (a:AuditEvent) ON (a.person_id_number)",
            "CREATE INDEX audit_event_subject IF NOT EXISTS FOR (a:AuditEvent) ON (a.subject)",
        ),
    ),
    Migration(
        4,
        "name search by single Han characters: one token per character, searched as phrases",
        (
            # The CJK analyzer of migration 2 indexes bigrams only, so a surname alone (赵)
            # finds nobody. The standard analyzer makes each Han character a token; a phrase
            # query of the typed characters then matches them in order, anywhere in the name.
            "DROP INDEX person_name_fulltext IF EXISTS",
            "CREATE FULLTEXT INDEX person_name_search IF NOT EXISTS FOR (p:Person) "
            "ON EACH [p.name, p.name_latin] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}}",
        ),
    ),
    Migration(5, "the case workflow's event log", (_unique("case_event_id", "CaseEvent", "event_id"),)),
    Migration(
        6,
        "name search index updated after commit (bulk loads ~15% faster; searches may lag a load by moments)",
        (
            "DROP INDEX person_name_search IF EXISTS",
            "CREATE FULLTEXT INDEX person_name_search IF NOT EXISTS FOR (p:Person) "
            "ON EACH [p.name, p.name_latin] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', "
            "`fulltext.eventually_consistent`: true}}",
        ),
    ),
    Migration(
        7,
        "indexes for case lists by township and village, and staff postings",
        (
            "CREATE INDEX case_township IF NOT EXISTS FOR (c:Case) ON (c.township_code)",
            "CREATE INDEX case_village IF NOT EXISTS FOR (c:Case) ON (c.village_code)",
            "CREATE INDEX staff_township IF NOT EXISTS FOR (s:Staff) ON (s.township_code)",
        ),
    ),
    Migration(
        8,
        "findings by status and place; detection models; finding events",
        (
            "CREATE INDEX finding_status IF NOT EXISTS FOR (f:Finding) ON (f.status)",
            "CREATE INDEX finding_township IF NOT EXISTS FOR (f:Finding) ON (f.township_code)",
            "CREATE INDEX finding_village IF NOT EXISTS FOR (f:Finding) ON (f.village_code)",
            "CREATE CONSTRAINT detection_model_name IF NOT EXISTS FOR (m:DetectionModel) "
            "REQUIRE m.name IS UNIQUE",
            "CREATE CONSTRAINT finding_event_id IF NOT EXISTS FOR (e:FindingEvent) "
            "REQUIRE e.event_id IS UNIQUE",
        ),
    ),
    Migration(
        9,
        "credit: the change feed's numbers, export cursors, record lookups",
        (
            "CREATE CONSTRAINT credit_change_sequence IF NOT EXISTS FOR (c:CreditChange) "
            "REQUIRE c.sequence IS UNIQUE",
            "CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (s:Sequence) REQUIRE s.name IS UNIQUE",
            "CREATE CONSTRAINT export_cursor_name IF NOT EXISTS FOR (c:ExportCursor) "
            "REQUIRE c.name IS UNIQUE",
            "CREATE INDEX credit_record_status IF NOT EXISTS FOR (r:CreditRecord) ON (r.status)",
            "CREATE INDEX credit_record_id_number IF NOT EXISTS FOR (r:CreditRecord) ON (r.id_number)",
            "CREATE CONSTRAINT honesty_commitment_id IF NOT EXISTS FOR (h:HonestyCommitment) "
            "REQUIRE h.commitment_id IS UNIQUE",
        ),
    ),
    Migration(
        10,
        "scheduled jobs: one lock per job, their runs",
        (
            "CREATE CONSTRAINT job_lock_job IF NOT EXISTS FOR (l:JobLock) REQUIRE l.job IS UNIQUE",
            "CREATE CONSTRAINT job_run_id IF NOT EXISTS FOR (r:JobRun) REQUIRE r.run_id IS UNIQUE",
            "CREATE INDEX job_run_job IF NOT EXISTS FOR (r:JobRun) ON (r.job)",
        ),
    ),
    Migration(
        11,
        "one audit chain head, however many servers append",
        (
            # Without it two API processes appending the first events at once each MERGE a
            # head of their own and the chain forks (found by two servers in one test, and
            # in a benchmark database). A fork already there is kept, not rewritten: the head
            # furthest along stays `audit` (appends continue from it), the others are renamed
            # so the constraint can hold, and `audit verify` reports the fork.
            FORK_HEADS_RENAMED,
            "CREATE CONSTRAINT audit_chain_name IF NOT EXISTS FOR (c:AuditChain) REQUIRE c.name IS UNIQUE",
        ),
    ),
    Migration(
        12,
        "partners: the change log's numbers, submission receipts",
        (
            _unique("partner_change_seq", "PartnerChange", KEY_PROPERTY[Label.PARTNER_CHANGE]),
            _unique("submission_receipt_id", "Submission", KEY_PROPERTY[Label.SUBMISSION]),
        ),
    ),
    Migration(
        13,
        "funds: budget lines, allocations, payment-file lines and bank returns",
        (
            _unique("budget_line_id", "BudgetLine", "budget_id"),
            _unique("allocation_id", "Allocation", "allocation_id"),
            _unique("payment_line_id", "PaymentLine", "line_id"),
            _unique("bank_return_line_id", "BankReturn", "line_id"),
            "CREATE INDEX payment_line_period IF NOT EXISTS FOR (l:PaymentLine) ON (l.period)",
        ),
    ),
    Migration(
        14,
        "credit export: dead letters and the reconciliation rows of each batch",
        (
            "CREATE CONSTRAINT dead_letter_id IF NOT EXISTS FOR (l:DeadLetter) REQUIRE l.letter_id IS UNIQUE",
            "CREATE INDEX dead_letter_sink_status IF NOT EXISTS FOR (l:DeadLetter) ON (l.sink, l.status)",
            "CREATE CONSTRAINT export_batch_key IF NOT EXISTS FOR (b:ExportBatch) "
            "REQUIRE b.batch_key IS UNIQUE",
            "CREATE INDEX export_batch_sink IF NOT EXISTS FOR (b:ExportBatch) ON (b.sink)",
        ),
    ),
    Migration(
        15,
        "reports by tracking code and status; investigations; notifications by recipient",
        (
            *(
                _unique(f"{label.value.lower()}_key", label.value, KEY_PROPERTY[label])
                for label in (
                    Label.REPORT,
                    Label.INVESTIGATION,
                    Label.NOTE,
                    Label.ATTACHMENT,
                    Label.NOTIFICATION,
                )
            ),
            "CREATE CONSTRAINT report_tracking IF NOT EXISTS FOR (r:Report) "
            "REQUIRE r.tracking_hash IS UNIQUE",
            "CREATE INDEX report_status IF NOT EXISTS FOR (r:Report) ON (r.status)",
            "CREATE INDEX investigation_status IF NOT EXISTS FOR (i:Investigation) ON (i.status)",
            "CREATE INDEX notification_recipient IF NOT EXISTS FOR (n:Notification) ON (n.recipient)",
            "CREATE INDEX notification_mail IF NOT EXISTS FOR (n:Notification) ON (n.mail_status)",
        ),
    ),
    Migration(
        16,
        "evidence packs: found by their PDF's hash, and the chain events that vouch for them",
        (
            _unique("evidence_pack_id", Label.EVIDENCE_PACK.value, KEY_PROPERTY[Label.EVIDENCE_PACK]),
            "CREATE INDEX evidence_pack_pdf IF NOT EXISTS FOR (p:EvidencePack) ON (p.pdf_sha256)",
            "CREATE INDEX audit_event_document IF NOT EXISTS FOR (a:AuditEvent) ON (a.document_sha256)",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

READ_VERSION = "MATCH (v:SchemaVersion {key: 'reliefgraph'}) RETURN v.version AS version"
RECORD_VERSION = """
MERGE (v:SchemaVersion {key: 'reliefgraph'})
SET v.version = $version, v.description = $description, v.applied_at = datetime()
"""


def _read_version(tx: ManagedTransaction) -> int:
    record = tx.run(READ_VERSION).single()
    return int(record["version"]) if record and record["version"] is not None else 0


def current_version(driver: Driver, database: str) -> int:
    with driver.session(database=database) as session:
        return session.execute_read(_read_version)


def _run_schema_statement(tx: ManagedTransaction, statement: str) -> None:
    tx.run(statement).consume()


def _record(tx: ManagedTransaction, migration: Migration) -> None:
    tx.run(RECORD_VERSION, version=migration.version, description=migration.description).consume()


def migrate(driver: Driver, database: str) -> list[Migration]:
    """Apply the migrations newer than the recorded version; returns those applied."""
    applied: list[Migration] = []
    with driver.session(database=database) as session:
        version = session.execute_read(_read_version)
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            # Schema changes and data writes may not share a transaction.
            for statement in migration.statements:
                session.execute_write(_run_schema_statement, statement)
            session.execute_write(_record, migration)
            applied.append(migration)
        session.run("CALL db.awaitIndexes(300)").consume()
    return applied
