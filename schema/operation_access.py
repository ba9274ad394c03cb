"""The one place a call is let in or refused: every root field and mutation is checked
against access/operations.py before its resolver runs, for the request's principal."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLNonNull, GraphQLUnionType
from strawberry.extensions import SchemaExtension

from access.operations import OPERATIONS, Area, area
from schema.errors import Forbidden

ROOTS = ("Query", "Mutation", "Subscription")  # a subscription: each event it sends


class OperationAccess(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        key = (info.parent_type.name, info.field_name)
        # Introspection (__schema, __type, __typename) is the schema's, not an operation.
        if key[0] not in ROOTS or key[1].startswith("__") or area(info.context.principal, key) is not None:
            return _next(root, info, *args, **kwargs)
        entry = OPERATIONS.get(key)
        message = entry.refused if entry else "this operation is not open to any role"
        kind = info.return_type.of_type if isinstance(info.return_type, GraphQLNonNull) else info.return_type
        if isinstance(kind, GraphQLUnionType) and any(t.name == "Forbidden" for t in kind.types):
            return Forbidden(message=message)  # the typed error the operation's result offers
        raise GraphQLError(message)


def area_of(info: Any) -> Area:
    """The area this call reaches, for its resolver (which OperationAccess let in)."""
    reach = area(info.context.principal, (info.path.typename, info.field_name))
    if reach is None:  # a resolver called some other way: fail closed
        raise GraphQLError("your role may not call this")
    return reach


def stream_area(info: Any) -> Area | Forbidden:
    """For a subscription, which the extension cannot refuse before its stream starts: the area
    its caller reaches, or the table's Forbidden to send instead of any event."""
    key = (info.path.typename, info.field_name)
    reach = area(info.context.principal, key)
    if reach is not None:
        return reach
    entry = OPERATIONS.get(key)
    return Forbidden(message=entry.refused if entry else "this operation is not open to any role")
