"""The query budget, checked in linear time before the standard validation runs.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter expand every fragment spread anew:
ten spreads of a fragment that spreads ten more, eight levels deep, is a 735-byte query
that costs 10^8 steps and froze the server. Here each fragment is measured once and its
figures reused wherever it is spread, so the cost of the check is the size of the
document, whatever the expansion would be. The expanded size is still what is limited:
the executor would do that work.

Within that size, the shape is limited too. OverlappingFieldsCanBeMerged compares every pair
of fields that answer to one response name at one place (fragments expanded, equal names
merged, their sub-selections compared pairwise): `{ me { subject } }` repeated 400 times is a
6 KB query inside every other limit that cost 0.9 s of CPU. So each merged selection set may
hold so many selections, and one response name so many times; and the rules that remain run
off the event loop, so a slow document holds its own request only.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension


@dataclass(frozen=True)
class QueryBudget:
    """What one operation may ask for, measured with every fragment spread expanded."""

    max_depth: int
    max_aliases: int
    max_fields: int
    max_selections: int  # in one selection set, equal response names merged
    max_repeats: int  # of one response name in one selection set

    def describe(self) -> str:
        return (
            f"depth {self.max_depth}, aliases {self.max_aliases}, fields {self.max_fields}, "
            f"selections per selection set {self.max_selections}, repeats of a response name "
            f"{self.max_repeats} (fragments expanded)"
        )


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
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
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


class _Merged:
    """One selection set with its fields merged by response name, as the standard rules see it."""

    __slots__ = ("size", "repeats", "children")

    def __init__(self) -> None:
        self.size = 0
        self.repeats: dict[str, int] = {}
        self.children: dict[str, _Merged] = {}


class _TooManySteps(Exception):
    pass


class _Shape:
    """Fields merged by response name, fragments expanded; the expansion is bounded by max_fields,
    checked first, and by a count of steps, so fragment cycles cannot make it loop."""

    def __init__(self, measure: _Measure, max_steps: int) -> None:
        self.measure = measure
        self.steps = max_steps
        self.open: set[str] = set()

    def collect(self, selection_set: SelectionSetNode, into: _Merged) -> None:
        for node in selection_set.selections:
            self.steps -= 1
            if self.steps < 0:
                raise _TooManySteps
            if isinstance(node, FieldNode):
                key = (node.alias or node.name).value
                into.size += 1
                into.repeats[key] = into.repeats.get(key, 0) + 1
                if node.selection_set is not None:
                    self.collect(node.selection_set, into.children.setdefault(key, _Merged()))
            elif isinstance(node, InlineFragmentNode):
                self.collect(node.selection_set, into)
            elif isinstance(node, FragmentSpreadNode):
                self._spread(node.name.value, into)

    def _spread(self, name: str, into: _Merged) -> None:
        definition = self.measure.fragments.get(name)
        if definition is None or name in self.open or self.measure.fragment(name).fields == 0:
            return  # unknown, a cycle, or nothing in it: the standard rules report the first two
        self.open.add(name)
        self.collect(definition.selection_set, into)
        self.open.discard(name)


def _shape_problem(merged: _Merged, name: str, budget: QueryBudget) -> GraphQLError | None:
    pending = [merged]
    while pending:
        node = pending.pop()
        key, times = max(node.repeats.items(), key=lambda item: item[1], default=("", 0))
        if times > budget.max_repeats:
            return GraphQLError(
                f"'{name}' selects '{key}' {times} times in one selection set once fragments "
                f"are expanded; the limit is {budget.max_repeats}"
            )
        if node.size > budget.max_selections:
            return GraphQLError(
                f"'{name}' selects {node.size} fields in one selection set once fragments "
                f"are expanded; the limit is {budget.max_selections}"
            )
        pending.extend(node.children.values())
    return None


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
            return GraphQLError(
                f"{cost.aliases} aliases found in '{name}'; the limit is {budget.max_aliases}"
            )
        if cost.fields > budget.max_fields:
            return GraphQLError(
                f"'{name}' selects {cost.fields} fields once fragments are expanded; "
                f"the limit is {budget.max_fields}"
            )
        merged = _Merged()
        try:  # a step per selection visited: fields, and the fragments that lead to them
            _Shape(measure, max_steps=10 * budget.max_fields).collect(definition.selection_set, merged)
        except _TooManySteps:
            return GraphQLError(
                f"'{name}' spreads its fragments too often to be checked; "
                f"the limit is {10 * budget.max_fields} selections visited"
            )
        problem = _shape_problem(merged, name, budget)
        if problem is not None:
            return problem
    return None


class _ValidationCache:
    """The standard rules' verdicts on recent documents, shared by every request (the extension
    is built afresh per request) and bounded, so that unique query texts cannot grow memory.
    Used from the event loop only, so it needs no lock."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.verdicts: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> list[GraphQLError] | None:
        verdict = self.verdicts.get(key)
        if verdict is not None:
            self.verdicts.move_to_end(key)
        return verdict

    def put(self, key: tuple[Any, ...], verdict: list[GraphQLError]) -> None:
        self.verdicts[key] = verdict
        if len(self.verdicts) > self.maxsize:
            self.verdicts.popitem(last=False)


_VERDICTS: dict[int, _ValidationCache] = {}


class BudgetedValidation(SchemaExtension):
    """The budget first, in linear time; then the standard validation rules, cached.

    Replaces strawberry's depth and alias limiters and its ValidationCache: a document
    over budget never reaches the rules whose cost grows with the expansion. A document
    not seen recently is validated in a worker thread: within the budget that still takes
    milliseconds, which the event loop spends serving other requests instead."""

    def __init__(self, budget: QueryBudget, cache_size: int = 256) -> None:
        super().__init__()
        self.budget = budget
        self.verdicts = _VERDICTS.setdefault(cache_size, _ValidationCache(cache_size))

    async def on_validate(self) -> AsyncIterator[None]:
        # Imported late: strawberry.schema imports extensions.
        from strawberry.schema.schema import validate_document

        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            problem = _budget_problem(document, self.budget)
            if problem is not None:
                context.pre_execution_errors = [problem]
            else:
                schema, rules = context.schema._schema, tuple(context.validation_rules)
                key = (schema, document, rules)
                verdict = self.verdicts.get(key)
                if verdict is None:
                    verdict = await asyncio.to_thread(validate_document, schema, document, rules)
                    self.verdicts.put(key, verdict)
                context.pre_execution_errors = verdict
        yield


@lru_cache(maxsize=256)
def _budget_problem(document: DocumentNode, budget: QueryBudget) -> GraphQLError | None:
    # The parser cache hands back the same DocumentNode for a repeated text.
    return over_budget(document, budget)
