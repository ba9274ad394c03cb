"""The README's queries (and the ones `reliefgraph demo` prints) are valid against the schema
and select `__typename` and the error types: with `... on FindingConnection` alone, an
invalid input came back as `{}`, with nothing to say why."""

from __future__ import annotations

import json
import re

import pytest
from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, parse, validate

from reliefgraph.commands.serve import EXAMPLE_FINDINGS, EXAMPLE_QUERY
from schema.build import build_schema
from settings import PROJECT_ROOT, Settings


def readme_queries() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    bodies = re.findall(r"-d '(\{.*?\})'\n", text)
    return [json.loads(body)["query"] for body in bodies]


EXAMPLES = [*readme_queries(), EXAMPLE_QUERY, EXAMPLE_FINDINGS]


def test_the_readme_has_its_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("query", EXAMPLES)
def test_an_example_is_valid_and_selects_its_errors(query: str) -> None:
    schema = build_schema(Settings(profile="development"))._schema
    document = parse(query)
    assert validate(schema, document) == []
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for root in operation.selection_set.selections:
        assert isinstance(root, FieldNode) and root.selection_set is not None
        selected = root.selection_set.selections
        names = {s.name.value for s in selected if isinstance(s, FieldNode)}
        types = {
            s.type_condition.name.value
            for s in selected
            if isinstance(s, InlineFragmentNode) and s.type_condition
        }
        assert "__typename" in names, root.name.value
        union = schema.get_type(schema.query_type.fields[root.name.value].type.of_type.name)  # type: ignore[union-attr]
        errors = {t.name for t in getattr(union, "types", [])} & {"Forbidden", "InvalidInput", "NotFound"}
        assert errors <= types, (root.name.value, errors - types)
