"""The service's metrics in the Prometheus format (the official prometheus-client).

Counters and histograms live in the process that serves the request; with several uvicorn
workers they are aggregated through prometheus-client's multiprocess mode (a directory set
in PROMETHEUS_MULTIPROC_DIR before the workers start, see reliefgraph/commands/serve.py).
What the graph itself knows — findings by kind and status, each job's last run — is read
at scrape time, so every worker reports the same.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, OperationDefinitionNode
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from strawberry.extensions import SchemaExtension

REQUESTS = Counter(
    "reliefgraph_graphql_operations_total",
    "GraphQL operations by root field and outcome",
    ["operation", "outcome"],
)
LATENCY = Histogram(
    "reliefgraph_graphql_operation_seconds",
    "Time to answer a GraphQL operation, by root field",
    ["operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge(
    "reliefgraph_neo4j_queries_in_flight",
    "Cypher round trips waiting on Neo4j (pool in use)",
    multiprocess_mode="livesum",
)
AUDIT_QUEUED = Gauge(
    "reliefgraph_audit_events_queued",
    "Audit events waiting for their group commit",
    multiprocess_mode="livesum",
)
AUDIT_COMMITTED = Counter("reliefgraph_audit_events_committed", "Audit events committed")
AUTH_FAILURES = Counter(
    "reliefgraph_auth_failures",
    "Requests refused 401, by reason (unknown_key, invalid_jwt, invalid_claims, missing…)",
    ["reason"],
)
RATE_LIMITED = Counter(
    "reliefgraph_rate_limited", "Requests refused 429, by limit (address, principal, lockout)", ["limit"]
)
# Subjects are staff, department clients and jobs: a bounded set, unlike the persons read.
PERSONAL_READS = Counter(
    "reliefgraph_personal_reads",
    "Audit events of reads of a person's data, by who read and the outcome (shown, not_found, …)",
    ["subject", "outcome"],
)


def audit_metrics(queued: int, committed: int) -> None:
    AUDIT_QUEUED.set(queued)
    AUDIT_COMMITTED.inc(committed)


def personal_read_metrics(events: list[dict[str, Any]]) -> None:
    counts: dict[tuple[str, str], int] = {}
    for event in events:
        key = (str(event.get("subject")), str(event.get("outcome")))
        counts[key] = counts.get(key, 0) + 1
    for (subject, outcome), count in counts.items():
        PERSONAL_READS.labels(subject, outcome).inc(count)


def auth_failure_metrics(reason: str) -> None:
    AUTH_FAILURES.labels(reason).inc()


def rate_limit_metrics(limit: str) -> None:
    RATE_LIMITED.labels(limit).inc()


def root_fields(document: Any, operation_name: str | None) -> str:
    """The operation's root fields, sorted ("person", "findings+me"): a label the schema bounds."""
    if document is None:
        return "unparsed"
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            names = sorted(
                {s.name.value for s in definition.selection_set.selections if isinstance(s, FieldNode)}
            )
            return "+".join(names[:4]) or "fragments"
    return "unknown"


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        operation = root_fields(context.graphql_document, context.operation_name)
        errors = (context.result.errors if context.result else None) or context.pre_execution_errors or []
        codes = {(getattr(e, "extensions", None) or {}).get("code") for e in errors}
        outcome = "unavailable" if "SERVICE_UNAVAILABLE" in codes else "error" if errors else "ok"
        REQUESTS.labels(operation, outcome).inc()
        LATENCY.labels(operation).observe(time.perf_counter() - started)


def process_metrics() -> bytes:
    """This process's (or, in multiprocess mode, every worker's) counters and histograms."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def graph_metrics(findings: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> bytes:
    """What the graph holds, read at scrape time: findings by kind and status, jobs' last runs."""
    registry = CollectorRegistry()
    by_status = Gauge(
        "reliefgraph_findings", "Findings by kind and status", ["kind", "status"], registry=registry
    )
    for row in findings:
        by_status.labels(row["kind"], row["status"]).set(row["count"])
    last_ok = Gauge(
        "reliefgraph_job_last_success_timestamp_seconds",
        "When each job last succeeded (Unix time)",
        ["job"],
        registry=registry,
    )
    last_run = Gauge(
        "reliefgraph_job_last_run_failed", "1 when each job's last run failed", ["job"], registry=registry
    )
    for row in jobs:
        if row["last_success"] is not None:
            last_ok.labels(row["job"]).set(row["last_success"])
        last_run.labels(row["job"]).set(0 if row["last_outcome"] == "succeeded" else 1)
    return generate_latest(registry)
