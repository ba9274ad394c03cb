// Starts GraphiQL on the page /graphql serves in the development profile
// (reliefgraph/templates/graphiql.html). Queries go to /graphql with the headers typed in
// GraphiQL's Headers tab: the API key goes there, as `Authorization: Bearer <key>`. Headers
// are not persisted (the key stays out of localStorage).
//
// The schema (for completion and the docs) is fetched here rather than by GraphiQL, whose
// introspection query nests `ofType` nine deep, past the API's depth limit (10); ours nests
// it four deep, enough for this schema's deepest type (`[X!]!`, three), and is sent again,
// with the headers as they are, whenever they change.
"use strict";

const DEFAULT_QUERY = `# reliefgraph's GraphQL API. Put your key in the Headers tab below, e.g.
#   { "Authorization": "Bearer rg_demo_investigator" }
# then run this with Ctrl-Enter (or the play button).
{
  me {
    subject
    role
  }
}
`;
const DEFAULT_HEADERS = `{
  "Authorization": "Bearer "
}`;

const INTROSPECTION = `query ReliefgraphIntrospection {
  __schema {
    queryType { name kind } mutationType { name kind } subscriptionType { name kind }
    types { ...FullType }
    directives { name description locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
}`;

// POST to /graphql; an answer that is not JSON (a 401's plain text, say) is shown as an error
// rather than as GraphiQL's "Unexpected token" from parsing it.
async function fetcher(params, options) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json",
               ...(options && options.headers) },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `${response.status} ${response.statusText}: ${text}` }] };
  }
}

function parseHeaders(text) {
  try {
    const headers = JSON.parse(text || "{}");
    return headers && typeof headers === "object" && !Array.isArray(headers) ? headers : null;
  } catch {
    return null;
  }
}

function Explorer() {
  const [schema, setSchema] = React.useState(null); // null: GraphiQL does not introspect itself
  const [headers, setHeaders] = React.useState(DEFAULT_HEADERS);
  React.useEffect(() => {
    const parsed = parseHeaders(headers);
    if (!parsed) return undefined;
    let current = true;
    // Wait for the typing to pause before asking again.
    const pause = setTimeout(async () => {
      const result = await fetcher({ query: INTROSPECTION, operationName: "ReliefgraphIntrospection" },
                                   { headers: parsed });
      if (current && result && result.data && result.data.__schema) setSchema(result.data);
    }, 400);
    return () => {
      current = false;
      clearTimeout(pause);
    };
  }, [headers]);
  return React.createElement(GraphiQL, {
    fetcher,
    schema,
    defaultQuery: DEFAULT_QUERY,
    defaultHeaders: DEFAULT_HEADERS,
    defaultEditorToolsVisibility: "headers",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
    onEditHeaders: setHeaders,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Explorer));
