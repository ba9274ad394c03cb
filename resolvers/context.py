"""Per-request context: the caller, the request's graph gateway and audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from access.audit import AuditTrail, AuditWriter
from access.handles import PersonHandles
from access.principal import Principal
from resolvers.cases import load_case_events, load_fast_track
from resolvers.findings import load_finding_events
from resolvers.gateway import GraphGateway
from resolvers.partners import ChangeSignal
from settings import Settings


@dataclass
class RequestContext:
    request: Any
    response: Any
    settings: Settings
    principal: Principal
    gateway: GraphGateway
    audit_writer: AuditWriter | None = None  # the app's group-commit writer; None: write directly
    handles: PersonHandles | None = None  # opaque person handles (the app's, one key for every worker)
    changes: ChangeSignal | None = None  # wakes subscriptions to the partners' change feed
    audit: AuditTrail = field(init=False)
    case_events: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    finding_events: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    fast_track: DataLoader[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.audit = AuditTrail(self.gateway, self.principal, self.audit_writer)
        # Fresh per request: nothing cached crosses requests (or principals).
        self.case_events = DataLoader(load_fn=partial(load_case_events, self.gateway))
        self.finding_events = DataLoader(load_fn=partial(load_finding_events, self.gateway))
        self.fast_track = DataLoader(
            load_fn=partial(load_fast_track, self.gateway, self.settings.credit_rules_file, date.today())
        )
