"""The schema with its abuse limits: depth, aliases, tokens, masked errors, and (in the
production profile) no introspection and no field suggestions."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from access.fields import Withheld
from observability.metrics import OperationMetrics
from schema.audit import AuditQuery
from schema.case_queries import CaseQuery
from schema.cases import Mutation as CaseMutation
from schema.credit import CreditMutation, CreditQuery
from schema.directory import DirectoryQuery
from schema.discovery import DiscoveryQuery
from schema.field_policy import FieldPolicy
from schema.findings import FindingMutation, FindingQuery
from schema.green_channel import GreenChannelMutation, GreenChannelQuery
from schema.investigations import InvestigationMutation, InvestigationQuery
from schema.linkage import LinkageQuery
from schema.notifications import NotificationMutation, NotificationQuery
from schema.operation_access import OperationAccess
from schema.partners import PartnerQuery, PartnerSubscription
from schema.performance import PerformanceQuery
from schema.person_queries import PersonQuery
from schema.publicity import PublicityQuery
from schema.query_cost import BudgetedValidation, QueryBudget
from schema.reports import ReportMutation, ReportQuery
from schema.verification import VerificationQuery
from schema.visits import VisitMutation
from settings import Settings

# One root type per operation, assembled from one class per domain.
Query = merge_types(
    "Query",
    (
        PersonQuery,
        LinkageQuery,
        AuditQuery,
        CaseQuery,
        FindingQuery,
        DiscoveryQuery,
        PerformanceQuery,
        CreditQuery,
        PublicityQuery,
        DirectoryQuery,
        PartnerQuery,
        ReportQuery,
        InvestigationQuery,
        NotificationQuery,
        VerificationQuery,
        GreenChannelQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CaseMutation,
        VisitMutation,
        FindingMutation,
        CreditMutation,
        ReportMutation,
        InvestigationMutation,
        NotificationMutation,
        GreenChannelMutation,
    ),
)
Subscription = merge_types("Subscription", (PartnerSubscription,))


def _unexpected(error: GraphQLError) -> bool:
    """Mask what we did not raise on purpose (driver errors, bugs); keep request errors."""
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, Withheld))


class ReportRoundTrips(SchemaExtension):
    """Adds the request's Cypher round-trip count to `extensions` (N+1 tests, profiling)."""

    def get_results(self) -> dict[str, int]:
        return {"cypherRoundTrips": self.execution_context.context.gateway.round_trips}


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, so each request gets fresh extension instances.
    budget = QueryBudget(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_fields=settings.max_fields,
        max_selections=settings.max_selections,
        max_repeats=settings.max_repeats,
    )
    extensions: list = [
        OperationMetrics,
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(
            MaskErrors, should_mask_error=_unexpected, error_message="Internal error; it has been logged."
        ),
    ]
    if not settings.development:
        extensions.append(partial(AddValidationRules, [NoSchemaIntrospectionCustomRule]))
    if settings.report_round_trips:
        extensions.append(ReportRoundTrips)
    # Clients repeat the same few documents: parse and validate each once (bounded caches);
    # the budget is checked in linear time before the standard rules (schema/query_cost.py).
    # Who may call what (OperationAccess) is decided before any resolver runs.
    extensions += [
        partial(ParserCache, maxsize=256),
        partial(BudgetedValidation, budget),
        OperationAccess,
        FieldPolicy,
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not settings.development),
    )


def schema_sdl() -> str:
    """The schema as SDL, the same in every profile (schema.graphql in the repository)."""
    return build_schema(Settings(profile="development")).as_str() + "\n"
