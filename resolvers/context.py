"""Per-request context: the caller, the request's graph gateway and audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from access.audit import AuditTrail
from access.principal import Principal
from reliefgraph.settings import Settings
from resolvers.gateway import GraphGateway


@dataclass
class RequestContext:
    request: Any
    response: Any
    settings: Settings
    principal: Principal
    gateway: GraphGateway
    audit: AuditTrail = field(init=False)

    def __post_init__(self) -> None:
        self.audit = AuditTrail(self.gateway, self.principal)
