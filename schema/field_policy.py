"""The one place personal data is classified on its way out: every field listed in
access/fields.py passes through its rule for the request's principal (shown, masked, or
withheld), whatever resolver produced it."""

from __future__ import annotations

import inspect
from typing import Any

from graphql import GraphQLList, GraphQLNonNull
from strawberry.extensions import SchemaExtension

from access.fields import FIELDS, Rule, disclose


class FieldPolicy(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        result = _next(root, info, *args, **kwargs)
        rule = FIELDS.get((info.parent_type.name, info.field_name))
        if rule is None:
            return result
        if inspect.isawaitable(result):
            return self._later(result, rule, info)
        return _apply(rule, info, result)

    @staticmethod
    async def _later(result: Any, rule: Rule, info: Any) -> Any:
        return _apply(rule, info, await result)


def _apply(rule: Rule, info: Any, value: Any) -> Any:
    kind = info.return_type
    nullable = not isinstance(kind, GraphQLNonNull)
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    return disclose(
        rule, info.context.principal, value, nullable=nullable, is_list=isinstance(inner, GraphQLList)
    )
