"""GraphQL over HTTP: authentication into the context, and media-type negotiation.

`application/graphql-response+json` (the GraphQL-over-HTTP spec's type) is used when the
client accepts it, with the spec's status codes: 200 when the response has data, 4xx for
request errors (unparseable, invalid, over a limit), 503 with Retry-After when Neo4j cannot
be reached (a typed error, code SERVICE_UNAVAILABLE, within a few seconds). Legacy
`application/json` clients get 200 with the errors in the body, as they expect. GET runs
queries only (a mutation over GET is refused with 405), and only queries without arguments
or variables: an ID number or a purpose in a URL ends up in proxy logs and browser history,
so those go by POST (405 otherwise). Batching is not offered.
"""

from __future__ import annotations

import json
from typing import Any, cast

from cross_web import HTTPException
from graphql import ArgumentNode, GraphQLError, OperationDefinitionNode, OperationType, Visitor, parse, visit
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from access.agreements import document_hash
from access.tokens import AgreementRefused, AuthenticationError, Authenticator
from observability.logs import SUBJECT
from reliefgraph.graphiql import graphiql_page
from resolvers.context import RequestContext
from resolvers.gateway import SERVICE_UNAVAILABLE, GraphGateway
from settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _wants_graphql_response(accept: str) -> bool:
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        if media.strip() == GRAPHQL_RESPONSE and "q=0" not in params.replace(" ", ""):
            return True
    return False


def _is_mutation(query: str | None, operation_name: str | None) -> bool:
    try:
        document = parse(query or "")
    except GraphQLError:
        return False  # left to the normal request-error path
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    return any(o.operation is OperationType.MUTATION for o in chosen)


class _FindArgument(Visitor):
    found = False

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        self.found = True
        return self.BREAK


def _carries_arguments(query: str | None, variables: str | None) -> bool:
    """Whether a GET's query string holds values: variables, or arguments anywhere in the query."""
    if variables is not None and variables.strip() not in ("", "{}", "null"):
        return True
    try:
        document = parse(query or "")
    except GraphQLError:
        return False  # left to the normal request-error path (400)
    finder = _FindArgument()
    visit(document, finder)
    return finder.found


GET_WITH_ARGUMENTS = {
    "errors": [
        {
            "message": "queries with arguments or variables go by POST, so that ID "
            "numbers and purposes stay out of URLs"
        }
    ]
}


class GraphQLView(GraphQL[RequestContext, None]):
    def __init__(self, schema: Any, settings: Settings, authenticator: Authenticator) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.development else None,
            allow_queries_via_get=True,
            multipart_uploads_enabled=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.authenticator = authenticator

    def decode_json(self, data: str | bytes) -> object:
        # json.loads guesses UTF-16/32 from bytes and raises UnicodeDecodeError (a 500) on
        # anything else: the spec says UTF-8, so a body that is not is the client's error.
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPException(400, "the request body is not UTF-8") from None
        return super().decode_json(data)

    def encode_json(self, data: object) -> str:
        # UTF-8, as the spec says: Chinese as characters, not \u738b escapes a person must decode.
        # A lone surrogate (echoed from a client's own \ud800) cannot be UTF-8: escaped then.
        # Text, not bytes: strawberry sends bytes over a websocket as binary frames, which
        # graphql-transport-ws clients refuse; HTTP responses encode text as UTF-8.
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(data, separators=(",", ":"))
        return text

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        response = await super().get_sub_response(request)
        response.wants_graphql_response = _wants_graphql_response(request.headers.get("accept", ""))  # type: ignore[attr-defined]
        return response

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        if isinstance(request, WebSocket):
            principal = request.state.principal  # authenticated before the handshake was accepted (run)
        else:
            try:
                principal = self.authenticator.authenticate(request.headers.get("authorization"))
            except AgreementRefused as exc:
                raise HTTPException(403, str(exc)) from None
            except AuthenticationError as exc:
                raise HTTPException(401, str(exc)) from None
        SUBJECT.set(principal.subject)  # for the request's log line
        gateway = GraphGateway(
            request.app.state.driver, self.settings.neo4j_database, self.settings.query_timeout_s
        )
        return RequestContext(
            request=request,
            response=response,
            settings=self.settings,
            principal=principal,
            gateway=gateway,
            audit_writer=request.app.state.audit_writer,
            handles=request.app.state.handles,
            changes=getattr(request.app.state, "changes", None),
        )

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,  # noqa: PLR0913
        root_value: Any,
        request_data: Any,
    ) -> Any:
        # The GraphQL-over-HTTP spec: a mutation over GET is 405 Method Not Allowed.
        if request_adapter.method == "GET" and _is_mutation(request_data.query, request_data.operation_name):
            raise HTTPException(405, "mutations are not allowed over GET; use POST")
        if (refused := self.untrusted(context, request_data.query)) is not None:
            raise HTTPException(400, refused)
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    def untrusted(self, context: RequestContext, query: str | None) -> str | None:
        """Trusted documents: in production a key bound to an agreement runs only the documents
        registered for it (`reliefgraph agreement trust`), by hash; why not, in one line."""
        agreement = context.principal.agreement
        if self.settings.development or not self.settings.trusted_documents or agreement is None:
            return None
        sha = document_hash(query or "")
        if sha in agreement.documents:
            return None
        return (
            f"unknown document {sha[:16]}…: agreement {agreement.agreement_id} runs only the documents "
            "registered for it (reliefgraph agreement trust)"
        )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, WebSocket):
            # The key goes in the handshake's Authorization header; without a valid one the
            # handshake is refused (403) before anything is accepted.
            try:
                request.state.principal = self.authenticator.authenticate(
                    request.headers.get("authorization")
                )
            except AuthenticationError:
                return await self.reject_websocket(request)
            return await super().run(request, context, root_value)
        # GraphiQL (development only) is a static page: a browser's navigation cannot send the
        # bearer header, so the page is served without one and the key goes into its Headers tab.
        if (
            self.graphql_ide
            and isinstance(request, Request)
            and self.should_render_graphql_ide(self.request_adapter_class(request))
        ):
            return await self.render_graphql_ide(request)
        # Refused before authentication: whatever the URL holds is already out, nothing is read for it.
        if (
            isinstance(request, Request)
            and request.method == "GET"
            and _carries_arguments(request.query_params.get("query"), request.query_params.get("variables"))
        ):
            return JSONResponse(GET_WITH_ARGUMENTS, status_code=405, headers={"Allow": "POST"})
        return await super().run(request, context, root_value)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()  # vendored, not strawberry's CDN page

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        # strawberry types errors as objects; as sent they are the spec's dicts.
        errors = (
            cast("list[dict[str, Any]]", response_data.get("errors") or [])
            if isinstance(response_data, dict)
            else []
        )
        if any((e.get("extensions") or {}).get("code") == SERVICE_UNAVAILABLE for e in errors):
            response.status_code = 503
            response.headers["retry-after"] = "5"
        if getattr(sub_response, "wants_graphql_response", False) and isinstance(response_data, dict):
            response.media_type = GRAPHQL_RESPONSE
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            request_error = (
                response_data.get("data") is None and bool(errors) and all("path" not in e for e in errors)
            )
            if request_error and response.status_code == 200:
                response.status_code = 400
        return response
