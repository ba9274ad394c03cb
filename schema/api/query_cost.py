"""The query budget, checked in linear time before the standard validation runs.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter expand every fragment spread anew:
ten spreads of a fragment that spreads ten more, eight levels deep, is a 735-byte query
that costs 10^8 steps and froze the server. Here each fragment is measured once and its
figures reused wherever it is spread, so the cost of the check is the size of the
document, whatever the expansion would be. The expanded size is still what is limited:
the executor would do that work.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Callable

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode,
    OperationDefinitionNode, SelectionSetNode,
)
from strawberry.extensions import SchemaExtension


@dataclass(frozen=True)
class QueryBudget:
    """What one operation may ask for, measured with every fragment spread expanded."""

    max_depth: int
    max_aliases: int
    max_fields: int

    def describe(self) -> str:
        return f"depth {self.max_depth}, aliases {self.max_aliases}, fields {self.max_fields} (fragments expanded)"


@dataclass(frozen=True)
class QueryCost:
    depth: int = 0
    aliases: int = 0
    fields: int = 0


_CYCLE = QueryCost()  # a fragment cycle costs nothing here; the standard NoFragmentCycles rule refuses it


def _combine(costs: Iterator[QueryCost]) -> QueryCost:
    depth = aliases = fields = 0
    for cost in costs:
        depth = max(depth, cost.depth)
        aliases += cost.aliases
        fields += cost.fields
    return QueryCost(depth, aliases, fields)


class _Measure:
    """The cost of selection sets, with each fragment's cost computed once."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.known: dict[str, QueryCost] = {}
        self.open: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> QueryCost:
        if selection_set is None:
            return QueryCost()
        return _combine(self._selection(s) for s in selection_set.selections)

    def _selection(self, node: Any) -> QueryCost:
        if isinstance(node, FieldNode):
            inner = self.selection_set(node.selection_set)
            nested = 1 if node.selection_set is not None else 0
            return QueryCost(inner.depth + nested, inner.aliases + (node.alias is not None), inner.fields + 1)
        if isinstance(node, InlineFragmentNode):
            return self.selection_set(node.selection_set)
        if isinstance(node, FragmentSpreadNode):
            return self.fragment(node.name.value)
        return QueryCost()

    def fragment(self, name: str) -> QueryCost:
        if name in self.known:
            return self.known[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.open:  # unknown: KnownFragmentNames reports it
            return _CYCLE
        self.open.add(name)
        cost = self.selection_set(definition.selection_set)
        self.open.discard(name)
        self.known[name] = cost
        return cost


def over_budget(document: DocumentNode, budget: QueryBudget) -> GraphQLError | None:
    """Why the document's operations ask for more than the budget allows, or None."""
    measure = _Measure(document)
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        cost = measure.selection_set(definition.selection_set)
        name = definition.name.value if definition.name else "anonymous"
        if cost.depth > budget.max_depth:
            return GraphQLError(f"'{name}' exceeds maximum operation depth of {budget.max_depth}")
        if cost.aliases > budget.max_aliases:
            return GraphQLError(f"{cost.aliases} aliases found in '{name}'; the limit is {budget.max_aliases}")
        if cost.fields > budget.max_fields:
            return GraphQLError(f"'{name}' selects {cost.fields} fields once fragments are expanded; "
                                f"the limit is {budget.max_fields}")
    return None


@cache
def _cached_validation(maxsize: int) -> Callable[..., list[GraphQLError]]:
    # Shared by every request (the extension is built afresh per request), bounded so that
    # unique query texts cannot grow memory. Imported late: strawberry.schema imports extensions.
    from strawberry.schema.schema import validate_document

    return lru_cache(maxsize=maxsize)(validate_document)


class BudgetedValidation(SchemaExtension):
    """The budget first, in linear time; then the standard validation rules, cached.

    Replaces strawberry's depth and alias limiters and its ValidationCache: a document
    over budget never reaches the rules whose cost grows with the expansion."""

    def __init__(self, budget: QueryBudget, cache_size: int = 256) -> None:
        super().__init__()
        self.budget = budget
        self.validate = _cached_validation(cache_size)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            problem = _budget_problem(document, self.budget)
            context.pre_execution_errors = [problem] if problem else self.validate(
                context.schema._schema, document, context.validation_rules)
        yield


@lru_cache(maxsize=256)
def _budget_problem(document: DocumentNode, budget: QueryBudget) -> GraphQLError | None:
    # The parser cache hands back the same DocumentNode for a repeated text.
    return over_budget(document, budget)
