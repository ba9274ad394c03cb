// The investigator workbench: talks only to /graphql, with the same bearer token and roles as
// any other client. Text from the API is only ever set as textContent (never parsed as HTML).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("rg_token"), lang: localStorage.getItem("rg_lang") || "zh",
                me: null, cursor: null, finding: null, graphs: {}, charts: {}, glossary: {}, shown: {},
                findingRows: [], selected: null };
const t = (key) => {
  if (key.startsWith("st_")) return g("status", key.slice(3));
  return (I18N[state.lang] && I18N[state.lang][key]) || key;
};
// A code's word in the page's language, from domain/glossary.json (served as glossary.json).
function g(group, code) {
  const entry = state.glossary[group] && state.glossary[group][code];
  return entry ? entry[state.lang === "zh" ? 0 : 1] : code;
}
const kindLabel = (kind) => g("kind", kind);
// Times in the county's zone, whatever the browser's.
const ZONE = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
                                                day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
function when(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return iso || "";
  const p = Object.fromEntries(ZONE.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${t("tz")}`;
}
const yuan = (amount) => (amount === null || amount === undefined || amount === "" ? "" :
  `${Number(amount).toLocaleString(state.lang === "zh" ? "zh-CN" : "en", { minimumFractionDigits: 2,
                                                                         maximumFractionDigits: 2 })} ${t("yuan")}`);
// Only properties the glossary names are shown: a stored property's raw key is no one's word.
const named = (name) => Boolean(state.glossary.field && state.glossary.field[name.replace(/_fen$/, "")]);
// A stored property as people read it: amounts kept in fen shown in yuan, codes by their words.
function property(name, value) {
  if (name.endsWith("_fen")) return [g("field", name.slice(0, -4)), yuan(Number(value) / 100)];
  if (name === "programme" || name === "programme_code") return [g("field", name), g("programme", value)];
  if (name === "source" || name === "department") return [g("field", name), g("department", value)];
  if (name === "status") return [g("field", name), g("status", value)];
  if (name === "relation") return [g("field", name), g("relation", value)];
  if (/(_at|_time)$/.test(name)) return [g("field", name), when(value)];
  const flag = { True: "true", False: "false" }[value];  // Python's booleans, as the API prints them
  return [g("field", name), g("value", flag || value)];
}
// What went wrong, in the page's language (the API's own words stay in the console).
const PROBLEMS = { Forbidden: "forbidden", NotFound: "not_found", InvalidInput: "invalid_input",
                   VersionConflict: "conflict", InvalidTransition: "invalid_transition" };
function problem(result) {
  if (result && result.message) console.info(result.__typename, result.message);
  return t(PROBLEMS[result && result.__typename] || "error");
}

async function gql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json",
               authorization: `Bearer ${state.token}` },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401) throw new Error(t("bad_key"));
  if (response.status === 503) throw new Error(t("unavailable"));
  const body = await response.json();
  if (body.errors) {
    console.info(body.errors.map((e) => e.message).join("; "));
    throw new Error(t("error"));
  }
  return body.data;
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  document.querySelectorAll("[data-tp]").forEach((n) => { n.placeholder = t(n.dataset.tp); });
  $("lang").textContent = state.lang === "zh" ? "English" : "中文";
  const kind = $("f-kind");
  const chosen = kind.value;
  kind.replaceChildren(el("option", t("all_kinds"), { value: "" }));
  for (const code of Object.keys(state.glossary.kind || {})) kind.append(el("option", kindLabel(code), { value: code }));
  kind.value = chosen;
  if (state.me) $("whoami").textContent = `${state.me.subject} · ${g("value", state.me.role)}`;
  legend();
}

// Switching language re-renders what is on screen from the data already read.
function rerender() {
  translate();
  const s = state.shown;
  if (s.person) renderPerson(s.person);
  for (const cy of Object.values(state.graphs)) {
    cy.nodes().forEach((n) => { n.data("label", nodeLabel(n.data("raw"))); });
    cy.edges().forEach((e) => { e.data("label", g("edge", e.data("type"))); });
  }
  if (state.selected) showNode(state.selected);
  renderFindingRows();
  if (state.finding) renderFinding(state.finding);
  if (s.discovery) renderDiscovery(s.discovery);
  if (s.publicity) renderPublicity(s.publicity);
  if (s.dashboard) renderDashboard(s.dashboard);
  if (s.performance) renderPerformance(s.performance);
  if (s.reports) renderReports(s.reports);
  if (state.report) renderReport(state.report);
  if (s.investigations) renderInvestigations(s.investigations);
  if (state.investigation) renderInvestigation(state.investigation);
  if (s.inbox) renderInbox(s.inbox);
  for (const view of Object.keys(s.denied || {})) deny(view);
}

// The operation each tab needs (me.operations lists what the role may call, from the access table).
const TAB_NEEDS = { search: "person", findings: "findings", discovery: "activeDiscovery",
                    publicity: "publicityList", dashboard: "findingSummary", reports: "reports",
                    investigations: "investigations", inbox: "inbox" };
const VIEWS = ["signin", "search", "findings", "discovery", "publicity", "dashboard", "reports", "investigations", "inbox"];

function deny(view) {
  state.shown.denied = state.shown.denied || {};
  state.shown.denied[view] = true;
  const box = $(view);
  box.dataset.denied = "true";
  $(`${view}-denied`).textContent = t(`denied_${view}`);
  $(`${view}-denied`).hidden = false;
}

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
  if (view !== "signin" && state.me && !state.me.operations.includes(TAB_NEEDS[view])) { deny(view); return; }
  if (view === "findings" && !$("finding-list").tBodies[0].rows.length) loadFindings(true);
  if (view === "dashboard") loadDashboard();
  if (view === "discovery") loadDiscovery();
  const failed = (box) => (error) => { $(box).textContent = error.message; };
  if (view === "reports") loadReports().catch(failed("reports-message"));
  if (view === "investigations") loadInvestigations().catch(failed("investigations-message"));
  if (view === "inbox") loadInbox().catch(failed("inbox-message"));
}

// ---- sign in
async function signIn(token) {
  state.token = token;
  try {
    const data = await gql("{ me { subject role department townshipCode villageCode operations } }");
    state.me = data.me;
  } catch (error) {
    state.token = null;
    sessionStorage.removeItem("rg_token");
    $("signin-error").textContent = error.message;
    show("signin");
    return;
  }
  sessionStorage.setItem("rg_token", token);
  $("whoami").textContent = `${state.me.subject} · ${g("value", state.me.role)}`;
  $("tabs").hidden = false;
  $("signout").hidden = false;
  $("signin-error").textContent = "";
  if (state.me.townshipCode) { $("f-township").value = state.me.townshipCode; $("d-township").value = state.me.townshipCode; }
  $("p-area").value = state.me.villageCode || state.me.townshipCode || "";
  show("search");
  if (state.me.operations.includes("inbox")) loadInbox().catch((error) => console.info("inbox", error));
}

// ---- graphs (cytoscape): each kind its own shape and colour, edges labelled
const STYLE = [
  { selector: "node", style: { label: "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
                               width: 26, height: 26, "background-color": "#90a4ae" } },
  { selector: "node[kind = 'Person']", style: { shape: "ellipse", "background-color": "#1e88e5" } },
  { selector: "node[kind = 'Staff']", style: { shape: "star", "background-color": "#d81b60", width: 32, height: 32 } },
  { selector: "node[kind = 'Household']", style: { shape: "round-rectangle", "background-color": "#43a047" } },
  { selector: "node[kind = 'Phone']", style: { shape: "diamond", "background-color": "#fb8c00" } },
  { selector: "node[kind = 'BankAccount']", style: { shape: "hexagon", "background-color": "#8e24aa" } },
  { selector: "node[kind = 'Address']", style: { shape: "triangle", "background-color": "#6d4c41" } },
  { selector: "node[kind = 'Enrollment']", style: { shape: "barrel", "background-color": "#00897b" } },
  { selector: "node[kind = 'Payment']", style: { shape: "tag", "background-color": "#7cb342", width: 18, height: 18 } },
  { selector: "node[kind = 'Case']", style: { shape: "rectangle", "background-color": "#546e7a" } },
  { selector: "node[kind = 'Finding']", style: { shape: "octagon", "background-color": "#e53935", width: 38, height: 38 } },
  { selector: "node.center", style: { "border-width": 4, "border-color": "#ffd54f" } },
  { selector: "node[kind = 'Visit']", style: { shape: "vee", "background-color": "#5c6bc0" } },
  { selector: "node.selected", style: { "border-width": 3, "border-color": "#212121" } },
  { selector: "edge", style: { width: 1.5, label: "data(label)", "font-size": 8, "curve-style": "bezier",
                               "target-arrow-shape": "triangle", "line-color": "#b0bec5", "target-arrow-color": "#b0bec5",
                               "text-rotation": "autorotate" } },
];

// The legend: each kind's shape and colour, read from the style above (one definition).
const SHAPES = { ellipse: "●", star: "★", "round-rectangle": "▢", diamond: "◆", hexagon: "⬢", triangle: "▲",
                 barrel: "⬮", tag: "◣", rectangle: "■", octagon: "⯃", vee: "▼" };
function legend() {
  const items = [];
  for (const rule of STYLE) {
    const m = /^node\[kind = '(\w+)'\]$/.exec(rule.selector);
    if (!m) continue;
    const mark = el("span", SHAPES[rule.style.shape] || "●", { class: "mark" });
    mark.style.color = rule.style["background-color"];
    const li = el("li", undefined, { "data-kind": m[1] });
    li.append(mark, el("span", ` ${g("node", m[1])}`));
    items.push(li);
  }
  $("legend").replaceChildren(...items);
}

function drawGraph(containerId, nodes, edges, center) {
  let cy = state.graphs[containerId];
  if (!cy) {
    cy = cytoscape({ container: $(containerId), style: STYLE, wheelSensitivity: 0.3, maxZoom: 1.6, minZoom: 0.2 });
    state.graphs[containerId] = cy;
  }
  const added = [];
  for (const n of nodes) {
    if (cy.getElementById(n.id).length) continue;
    added.push({ group: "nodes", data: { id: n.id, kind: n.kind, key: n.key, label: nodeLabel(n), raw: n } });
  }
  for (const e of edges) {
    const id = `${e.source}>${e.type}>${e.target}`;
    if (cy.getElementById(id).length) continue;
    added.push({ group: "edges", data: { id, source: e.source, target: e.target, type: e.type,
                                         label: g("edge", e.type) } });
  }
  cy.add(added);
  if (center) cy.getElementById(center).addClass("center");
  cy.resize();  // the container may have been hidden (zero-sized) when the graph was created
  // Evidence fans out from the finding; a linkage graph settles by force.
  const layout = center && containerId === "finding-graph"
    ? { name: "breadthfirst", roots: [center], circle: true, spacingFactor: 1.3, animate: false, padding: 40 }
    : { name: "cose", animate: false, nodeRepulsion: 400000, idealEdgeLength: 130, padding: 40 };
  cy.layout(layout).run();
  cy.fit(undefined, 40);
  const box = $(containerId);
  box.dataset.nodes = String(cy.nodes().length);
  box.dataset.edges = String(cy.edges().length);
  box.dataset.kinds = [...new Set(cy.nodes().map((n) => n.data("kind")))].sort().join(",");
  return cy;
}

function nodeLabel(n) {
  let label = n.label;
  if (n.kind === "Enrollment") label = g("programme", n.label);
  else if (n.kind === "Finding") label = kindLabel(n.label);
  else if (FACT_KINDS.includes(n.kind)) label = g("department", n.label);
  return `${g("node", n.kind)}: ${label}`.slice(0, 40);
}
const FACT_KINDS = ["Vehicle", "Property", "Business", "Employment", "Deposit", "Income", "Death", "Disability",
                    "Vulnerability"];

// ---- persons
const PERSON = `query($id: String, $handle: String, $purpose: String!) {
  person(idNumber: $id, handle: $handle, purpose: $purpose) { __typename
  ... on Person { idNumber name sex birthDate withheld staffRole
    memberships { householdId villageCode address relation }
    phones { number source asOf } addresses { address kind source asOf } bankAccounts { number bank }
    facts { kind recordId source asOf details { name value } }
    relatives { idNumber name relation direction kinship }
    enrollments { enrollmentId programme programmeName monthlyAmount
                  payments { paymentId period amount paidDate account } }
    cases { caseId programme status submittedDate }
    findings { findingId kind status score } }
  ... on NotFound { message } ... on Forbidden { message } ... on InvalidInput { message } } }`;
const SEARCH = `query($name: String!, $purpose: String!) { searchPersons(name: $name, purpose: $purpose, first: 20) {
  __typename ... on PersonSummaryConnection { edges { node { idNumber name sex birthDate handle } } }
  ... on Forbidden { message } ... on InvalidInput { message } } }`;
const LINKAGE = `query($key: String!, $kind: NodeKind, $purpose: String!) {
  linkage(key: $key, kind: $kind, purpose: $purpose, maxHops: 1) {
  __typename ... on Linkage { center nodes { id kind key label degree properties { name value } }
                              edges { source target type } truncated }
  ... on Forbidden { message } ... on NotFound { message } } }`;

async function search(event) {
  event.preventDefault();
  const q = $("query").value.trim();
  $("results").replaceChildren();
  $("person").hidden = true;
  $("search-message").textContent = "";
  try {
    if (/^[0-9]{14,17}[0-9xX]$/.test(q.replace(/\s/g, ""))) return openPerson({ id: q });
    const data = await gql(SEARCH, { name: q, purpose: $("purpose").value });
    const result = data.searchPersons;
    if (result.__typename !== "PersonSummaryConnection") { $("search-message").textContent = problem(result); return; }
    if (!result.edges.length) $("search-message").textContent = t("not_found");
    for (const { node } of result.edges) {
      // A search hit opens by its handle: a coordinator's masked ID number opens nothing.
      const li = el("li", `${node.name} · ${node.idNumber || ""} · ${node.birthDate || ""}`, { "data-id": node.idNumber || "" });
      li.addEventListener("click", () => openPerson({ handle: node.handle })
        .catch((error) => { $("search-message").textContent = error.message; }));
      $("results").append(li);
    }
  } catch (error) { $("search-message").textContent = error.message; }
}

async function openPerson(ref) {
  const purpose = $("purpose").value;
  const data = await gql(PERSON, { id: ref.id || null, handle: ref.handle || null, purpose });
  const p = data.person;
  if (p.__typename !== "Person") {
    $("person").hidden = true;
    state.shown.person = null;
    $("search-message").textContent = problem(p);
    return;
  }
  state.shown.person = p;
  state.selected = null;
  renderPerson(p);
  const graph = state.graphs["person-graph"];
  if (graph) graph.elements().remove();
  $("person-graph").dataset.nodes = "0";
  $("node-details").replaceChildren(el("p", t("click_a_node"), { class: "hint", "data-t": "click_a_node" }));
  $("person-linkage").hidden = state.me.role !== "investigator";
  if (state.me.role !== "investigator") { $("search-message").textContent = t("no_graph"); return; }
  $("search-message").textContent = "";
  await expand(p.idNumber, "Person", true);
}

// The 360: households, identifiers, verification facts (source, as-of), relatives named the
// right way round, grants and their payments over time, cases, and the person's open findings.
function renderPerson(p) {
  $("person").hidden = false;
  $("person-name").textContent = `${p.name} · ${p.idNumber || ""}`;
  const facts = el("dl");
  const add = (label, values) => { facts.append(el("dt", t(label)), el("dd", values.join("；") || "—")); };
  const dated = (source, asOf) => [source && `${t("source_h")} ${g("department", source)}`,
                                   asOf && `${t("as_of")} ${asOf}`].filter(Boolean).join("，");
  add("households", p.memberships.map((m) => `${m.householdId} ${m.address || ""}（${g("relation", m.relation)}）`));
  add("phones", (p.phones || []).map((x) => `${x.number}（${dated(x.source, x.asOf)}）`));
  add("addresses", (p.addresses || []).map((x) => `${x.address}（${g("value", x.kind)}，${dated(x.source, x.asOf)}）`));
  add("accounts", (p.bankAccounts || []).map((x) => `${x.number} ${x.bank || ""}`));
  add("facts_h", (p.facts || []).map((f) => {
    const details = f.details.filter((d) => named(d.name) && !["source", "as_of", "record_id", "fact_id"].includes(d.name))
      .map((d) => property(d.name, d.value).join(" ")).join("，");
    return `${g("node", f.kind)}：${details}（${dated(f.source, f.asOf)}）`;
  }));
  add("relatives_h", (p.relatives || []).map((r) => `${r.name || ""}（${g("relation", r.kinship)}）${r.idNumber || ""}`));
  add("enrollments", (p.enrollments || []).map((e) => `${g("programme", e.programme)} ${yuan(e.monthlyAmount)}`));
  add("cases", (p.cases || []).map((c) => `${c.caseId} ${g("programme", c.programme)} ${g("status", c.status)}`));
  if (p.findings) {
    add("findings_h", p.findings.filter((f) => ["open", "assigned"].includes(f.status))
      .map((f) => `${kindLabel(f.kind)}（${g("status", f.status)}，${f.score.toFixed(2)}）`));
  }
  $("person-facts").replaceChildren(facts);
  $("person").dataset.relatives = String((p.relatives || []).length);
  paymentsChart(p);
}

function paymentsChart(p) {
  const byPeriod = {};
  for (const e of p.enrollments || []) {
    for (const pay of e.payments || []) byPeriod[pay.period] = (byPeriod[pay.period] || 0) + Number(pay.amount);
  }
  const periods = Object.keys(byPeriod).sort();
  $("person-payments-box").hidden = !periods.length;
  $("person-payments-box").dataset.periods = String(periods.length);
  if (!periods.length) return;
  chart("person-payments", {
    type: "bar",
    data: { labels: periods, datasets: [{ label: `${t("payments_over_time")}（${t("yuan")}）`,
                                          backgroundColor: "#7cb342", data: periods.map((x) => byPeriod[x]) }] },
    options: { animation: false, plugins: { legend: { display: false } } },
  });
}

// Every kind the API can start a walk from expands; a click also shows the node's details.
const START_KINDS = { Person: "PERSON", Staff: "STAFF", Household: "HOUSEHOLD", Phone: "PHONE",
                      BankAccount: "BANK_ACCOUNT", Address: "ADDRESS", Case: "CASE", Enrollment: "GRANT",
                      Payment: "PAYMENT" };

async function expand(key, kind, first = false) {
  const data = await gql(LINKAGE, { key, kind: START_KINDS[kind] || null, purpose: $("purpose").value });
  const l = data.linkage;
  if (l.__typename !== "Linkage") { $("search-message").textContent = problem(l); return; }
  const cy = drawGraph("person-graph", l.nodes, l.edges, first ? l.center : null);
  if (l.truncated) $("search-message").textContent = t("truncated");
  if (first) {
    cy.off("tap", "node");
    cy.on("tap", "node", (event) => { selectNode(event.target.id()); });
    showNode(l.center);
  }
  const box = $("person-graph");
  box.dataset.expanded = String(Number(box.dataset.expanded || 0) + 1);
}

// Selecting a node (a click in the graph, or in the side panel's lists) shows its details and
// expands it one hop.
function selectNode(id) {
  const cy = state.graphs["person-graph"];
  const n = cy.getElementById(id);
  cy.nodes().removeClass("selected");
  n.addClass("selected");
  state.selected = id;
  showNode(id);
  const raw = n.data("raw");
  if (!START_KINDS[raw.kind]) return;
  expand(raw.key, raw.kind).then(() => showNode(id))
    .catch((error) => { $("search-message").textContent = error.message; });
}

function nodeList(nodes, id) {
  const ul = el("ul", undefined, { id, class: "node-list" });
  nodes.forEach((m) => {
    const li = el("li", nodeLabel(m.data("raw")), { "data-key": m.data("key"), "data-kind": m.data("kind"),
                                                    tabindex: "0" });
    li.addEventListener("click", () => selectNode(m.id()));
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") selectNode(m.id()); });
    ul.append(li);
  });
  return ul;
}

// The side panel: the node's properties; for an identifier, who else holds it; its neighbours.
function showNode(id) {
  const cy = state.graphs["person-graph"];
  const n = cy && cy.getElementById(id);
  if (!n || !n.length) return;
  const raw = n.data("raw");
  const panel = [el("p", nodeLabel(raw), { class: "node-title" })];
  const dl = el("dl");
  for (const prop of raw.properties || []) {
    if (!named(prop.name)) continue;
    const [name, value] = property(prop.name, prop.value);
    dl.append(el("dt", name), el("dd", value));
  }
  panel.push(dl);
  const near = n.neighborhood("node");
  if (["Phone", "BankAccount", "Address"].includes(raw.kind)) {
    const holders = near.filter((m) => ["Person", "Staff", "Household"].includes(m.data("kind")));
    panel.push(el("h5", `${t("others_hold")}（${holders.length}）`));
    panel.push(holders.length ? nodeList(holders, "node-holders") : el("p", t("none_other")));
  }
  panel.push(el("h5", `${t("neighbours")}（${near.length}）`), nodeList(near, "node-neighbours"));
  $("node-details").replaceChildren(...panel);
  $("node-panel").dataset.kind = raw.kind;
  $("node-panel").dataset.key = raw.key;
}

// ---- findings
const FINDINGS = `query($purpose: String!, $after: String, $filter: FindingFilter) {
  findings(purpose: $purpose, first: 25, after: $after, filter: $filter) { __typename
    ... on FindingConnection { edges { node { findingId kind score status villageCode explanation(language: ZH)
                                              en: explanation(language: EN) } } pageInfo { hasNextPage endCursor } }
    ... on Forbidden { message } ... on InvalidInput { message } } }`;
const FINDING = `query($id: String!, $purpose: String!) { finding(findingId: $id, purpose: $purpose) { __typename
  ... on Finding { findingId kind score status version amount assignee confirmedFacts reason villageCode
                   explanation(language: ZH) en: explanation(language: EN)
                   evidence { nodes { id kind key label } edges { source target type } }
                   events { action by at } }
  ... on NotFound { message } ... on Forbidden { message } } }`;
const REVIEW_FIELDS = `__typename ... on Finding { status version } ... on VersionConflict { currentVersion message }
  ... on InvalidTransition { message } ... on InvalidInput { field message } ... on Forbidden { message }
  ... on NotFound { message }`;

function filter() {
  const f = {};
  if ($("f-kind").value) f.kinds = [$("f-kind").value];
  if ($("f-status").value) f.statuses = [$("f-status").value];
  if ($("f-township").value.trim()) f.townshipCode = $("f-township").value.trim();
  if ($("f-village").value.trim()) f.villageCode = $("f-village").value.trim();
  if ($("f-score").value) f.minScore = Number($("f-score").value);
  return f;
}

async function loadFindings(reset) {
  const body = $("finding-list").tBodies[0];
  if (reset) { body.replaceChildren(); state.cursor = null; state.findingRows = []; }
  const request = (state.listRequest = (state.listRequest || 0) + 1);
  try {
    const data = await gql(FINDINGS, { purpose: $("purpose").value, after: state.cursor, filter: filter() });
    if (request !== state.listRequest) return;  // a newer filter was asked for meanwhile
    const result = data.findings;
    if (result.__typename === "Forbidden") { deny("findings"); return; }
    if (result.__typename !== "FindingConnection") { $("finding-message").textContent = problem(result); return; }
    state.findingRows.push(...result.edges.map((e) => e.node));
    renderFindingRows();
    state.cursor = result.pageInfo.endCursor;
    $("more").hidden = !result.pageInfo.hasNextPage;
    if (!state.findingRows.length) $("finding-message").textContent = t("no_rows");
  } catch (error) { $("finding-message").textContent = error.message; }
}

function renderFindingRows() {
  const body = $("finding-list").tBodies[0];
  body.replaceChildren(...state.findingRows.map((node) => {
    const row = el("tr", undefined, { "data-id": node.findingId, "data-kind": node.kind });
    row.append(el("td", kindLabel(node.kind)), el("td", node.score.toFixed(2)), el("td", t(`st_${node.status}`)),
               el("td", node.villageName || node.villageCode || ""),
               el("td", state.lang === "zh" ? node.explanation : node.en));
    row.addEventListener("click", () => openFinding(node.findingId));
    return row;
  }));
}

async function openFinding(id) {
  const data = await gql(FINDING, { id, purpose: $("purpose").value });
  const f = data.finding;
  if (f.__typename !== "Finding") { $("finding-message").textContent = problem(f); return; }
  state.finding = f;
  renderFinding(f);
  const graph = state.graphs["finding-graph"];
  if (graph) graph.elements().remove();
  drawGraph("finding-graph", f.evidence.nodes, f.evidence.edges, f.evidence.nodes[0] && f.evidence.nodes[0].id);
}

function renderFinding(f) {
  $("finding").hidden = false;
  $("finding").dataset.status = f.status;
  $("review-form").hidden = true;
  $("finding-title").textContent = `${kindLabel(f.kind)} · ${f.score.toFixed(2)} · ${t(`st_${f.status}`)}`;
  $("finding-explanation").textContent = state.lang === "zh" ? f.explanation : f.en;
  $("finding-meta").textContent = f.events
    .map((e) => `${when(e.at)} ${g("event", e.by)} ${g("event", e.action)}`).join(" · ");
  const active = ["open", "assigned"].includes(f.status) && state.me.role === "investigator";
  for (const b of ["assign", "confirm", "dismiss"]) $(b).disabled = !active;
  $("pick-finding").hidden = !state.me.operations.includes("openInvestigation");
  $("evidence-pack").hidden = f.status !== "confirmed" || !state.me.operations.includes("findings");
}

function startReview(action) {
  state.review = action;
  $("review-form").hidden = false;
  $("review-amount").hidden = action !== "confirm";
  $("review-label").textContent = t({ assign: "assignee", confirm: "facts", dismiss: "reason" }[action]);
  $("review-text").value = "";
  $("review-text").focus();
}

async function submitReview(event) {
  event.preventDefault();
  const f = state.finding;
  const text = $("review-text").value.trim();
  const mutations = {
    assign: [`mutation($id: String!, $v: Int!, $x: String!) { r: assignFinding(findingId: $id, expectedVersion: $v,
             assignee: $x) { ${REVIEW_FIELDS} } }`, {}],
    confirm: [`mutation($id: String!, $v: Int!, $x: String!, $amount: Decimal) { r: confirmFinding(findingId: $id,
              expectedVersion: $v, facts: $x, amount: $amount) { ${REVIEW_FIELDS} } }`,
              { amount: $("review-amount").value || null }],
    dismiss: [`mutation($id: String!, $v: Int!, $x: String!) { r: dismissFinding(findingId: $id, expectedVersion: $v,
              reason: $x) { ${REVIEW_FIELDS} } }`, {}],
  };
  const [query, extra] = mutations[state.review];
  const data = await gql(query, { id: f.findingId, v: f.version, x: text, ...extra });
  const r = data.r;
  if (r.__typename === "Finding") {
    $("finding-message").textContent = t("done");
    $("review-form").hidden = true;
  } else {
    $("finding-message").textContent = problem(r);
  }
  await openFinding(f.findingId);
  loadFindings(true);
}

// ---- active discovery (coordinators' list; masked as the role requires)
const DISCOVERY = `query($purpose: String!) { activeDiscovery(purpose: $purpose, first: 100) { __typename
  ... on DiscoveryCandidateConnection { edges { node { findingId name idNumber householdId flags householdSize
                                                       incomePerCapita incomeLine } } }
  ... on Forbidden { message } } }`;

async function loadDiscovery() {
  const data = await gql(DISCOVERY, { purpose: $("purpose").value });
  const result = data.activeDiscovery;
  if (result.__typename === "Forbidden") { deny("discovery"); return; }
  if (result.__typename !== "DiscoveryCandidateConnection") { $("discovery-message").textContent = problem(result); return; }
  state.shown.discovery = result;
  renderDiscovery(result);
}

function renderDiscovery(result) {
  const body = $("discovery-list").tBodies[0];
  body.replaceChildren(...result.edges.map(({ node }) => {
    const row = el("tr", undefined, { "data-id": node.findingId });
    const flags = node.flags.map((f) => g("value", f)).join("、");
    row.append(el("td", node.name), el("td", node.idNumber || ""), el("td", `${node.householdId} (${node.householdSize})`),
               el("td", flags), el("td", `${node.incomePerCapita} / ${node.incomeLine}`));
    return row;
  }));
  $("discovery-message").textContent = result.edges.length ? "" : t("no_rows");
  $("discovery").dataset.count = String(result.edges.length);
}

// ---- publicity lists (公示): show, download as CSV, print
const PUBLICITY = `query($area: String!, $programme: String, $from: Date, $to: Date) {
  publicityList(areaCode: $area, programme: $programme, windowStart: $from, windowEnd: $to) { __typename
    ... on PublicityList { areaName windowStart windowEnd
      proposed { name village householdSize programmeName monthlyAmount }
      rejected { name village programmeName reason } }
    ... on Forbidden { message } ... on InvalidInput { message } } }`;

function publicityParams() {
  return { area: $("p-area").value.trim(), programme: $("p-programme").value.trim() || null,
           from: $("p-from").value || null, to: $("p-to").value || null };
}

async function loadPublicity(event) {
  if (event) event.preventDefault();
  const data = await gql(PUBLICITY, publicityParams());
  const p = data.publicityList;
  if (p.__typename === "Forbidden") { deny("publicity"); return; }
  if (p.__typename !== "PublicityList") { $("publicity-message").textContent = problem(p); return; }
  state.shown.publicity = p;
  renderPublicity(p);
}

function renderPublicity(p) {
  $("publicity-message").textContent = p.proposed.length + p.rejected.length ? "" : t("no_rows");
  $("p-title").textContent = `${t("publicity_title")} · ${p.areaName || ""} · ${p.windowStart} — ${p.windowEnd}`;
  $("p-proposed").tBodies[0].replaceChildren(...p.proposed.map((e) => {
    const row = el("tr");
    row.append(el("td", e.name), el("td", e.village || ""), el("td", e.householdSize), el("td", e.programmeName),
               el("td", e.monthlyAmount || ""));
    return row;
  }));
  $("p-rejected").tBodies[0].replaceChildren(...p.rejected.map((e) => {
    const row = el("tr");
    row.append(el("td", e.name), el("td", e.village || ""), el("td", e.programmeName), el("td", e.reason || ""));
    return row;
  }));
  $("publicity").dataset.rows = String(p.proposed.length + p.rejected.length);
}

async function downloadPublicityCsv() {
  const q = publicityParams();
  const params = new URLSearchParams({ area: q.area });
  if (q.programme) params.set("programme", q.programme);
  if (q.from) params.set("from", q.from);
  if (q.to) params.set("to", q.to);
  const response = await fetch(`/publicity/list.csv?${params}`, { headers: { authorization: `Bearer ${state.token}` } });
  if (!response.ok) { $("publicity-message").textContent = (await response.json()).error; return; }
  const link = el("a", undefined, { href: URL.createObjectURL(await response.blob()),
                                    download: `publicity-${q.area}.csv` });
  link.click();
}

// ---- dashboard
const SUMMARY = `query($t: String) { findingSummary(townshipCode: $t) { __typename
  ... on FindingSummary { byKindAndStatus { kind status count } gapsByVillage { villageCode villageName kind count }
                          staffing { level code name staff required } }
  ... on Forbidden { message } } }`;

async function loadDashboard(event) {
  if (event) event.preventDefault();
  const data = await gql(SUMMARY, { t: $("d-township").value.trim() || null });
  const s = data.findingSummary;
  if (s.__typename === "Forbidden") { deny("dashboard"); return; }
  if (s.__typename !== "FindingSummary") { $("dashboard-message").textContent = problem(s); return; }
  $("dashboard-message").textContent = "";
  state.shown.dashboard = s;
  renderDashboard(s);
  loadPerformance();
}

function renderDashboard(s) {
  const kinds = [...new Set(s.byKindAndStatus.map((x) => x.kind))];
  const statuses = ["open", "assigned", "confirmed", "dismissed", "resolved"];
  const colours = ["#e53935", "#fb8c00", "#1e88e5", "#9e9e9e", "#43a047"];
  chart("chart-kinds", {
    type: "bar",
    data: { labels: kinds.map(kindLabel), datasets: statuses.map((st, i) => ({
      label: t(`st_${st}`), backgroundColor: colours[i],
      data: kinds.map((k) => (s.byKindAndStatus.find((x) => x.kind === k && x.status === st) || { count: 0 }).count) })) },
    options: { indexAxis: "y", scales: { x: { stacked: true }, y: { stacked: true } }, animation: false },
  });
  const villages = [...new Set(s.gapsByVillage.map((x) => x.villageName || x.villageCode))];
  const gapKinds = [...new Set(s.gapsByVillage.map((x) => x.kind))];
  chart("chart-villages", {
    type: "bar",
    data: { labels: villages, datasets: gapKinds.map((k, i) => ({
      label: kindLabel(k), backgroundColor: colours[i % colours.length],
      data: villages.map((v) => s.gapsByVillage.filter((x) => (x.villageName || x.villageCode) === v && x.kind === k)
        .reduce((a, x) => a + x.count, 0)) })) },
    options: { scales: { x: { stacked: true }, y: { stacked: true } }, animation: false },
  });
  const body = $("staffing").tBodies[0];
  body.replaceChildren(...s.staffing.map((x) => {
    const row = el("tr");
    row.append(el("td", g("value", x.level)), el("td", x.name || x.code), el("td", x.staff), el("td", x.required));
    return row;
  }));
  $("dashboard").dataset.loaded = String(s.byKindAndStatus.length);
  if (!s.byKindAndStatus.length && !s.staffing.length) $("dashboard-message").textContent = t("no_rows");
}

// The monthly report's figures (定期通报, detection/performance.py) over 12 months, for the
// township asked for or the townships the caller may read together: one request.
const PERF_FIGURES = ["decided", "decidedInTime", "medianDays", "findingsOpened", "findingsResolved",
  "findingsOverdue", "reportsDue", "reportsAnsweredInTime", "visitsDue", "visitsDueMade", "visits",
  "discoveryCandidates", "discoveryActed", "staff", "staffRequired", "recoveryRecords", "recoveryOrdered"];
const PERF_TREND = ["decided", "decidedInTime", "findingsOpened", "findingsResolved", "findingsOverdue", "visits",
  "reportsAnsweredInTime"];
const PERFORMANCE = `query($m: String!, $t: String) { townshipPerformance(month: $m, months: 12, townshipCode: $t) {
  __typename ... on TownshipPerformance { months county { month ${PERF_FIGURES.join(" ")} } }
  ... on Forbidden { message } ... on InvalidInput { field message } } }`;

function lastMonth() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

async function loadPerformance() {
  const month = $("d-month").value.trim() || lastMonth();
  const asked = (state.performanceAsked = (state.performanceAsked || 0) + 1);
  let p;
  try {
    p = (await gql(PERFORMANCE, { m: month, t: $("d-township").value.trim() || null })).townshipPerformance;
  } catch (error) {
    if (asked === state.performanceAsked) $("performance-message").textContent = error.message;
    return;
  }
  if (asked !== state.performanceAsked) return; // an answer to an earlier request: a later one is on its way
  if (p.__typename !== "TownshipPerformance") { $("performance-message").textContent = problem(p); return; }
  $("performance-message").textContent = "";
  state.shown.performance = p;
  renderPerformance(p);
}

function renderPerformance(p) {
  const months = p.county.map((x) => x.month);
  const colours = ["#1e88e5", "#43a047", "#e53935", "#8e24aa", "#fb8c00", "#00897b", "#6d4c41"];
  chart("chart-trend", {
    type: "line",
    data: { labels: months, datasets: PERF_TREND.map((k, i) => ({
      label: t(`perf_${k}`), borderColor: colours[i], backgroundColor: colours[i],
      data: p.county.map((x) => x[k]) })) },
    options: { animation: false, scales: { y: { beginAtZero: true } } },
  });
  $("performance").tHead.rows[0].replaceChildren(el("th", t("col_figure")), ...months.map((m) => el("th", m)));
  $("performance").tBodies[0].replaceChildren(...PERF_FIGURES.map((k) => {
    const row = el("tr");
    row.append(el("td", t(`perf_${k}`)), ...p.county.map((x) => el("td", x[k] === null ? "—" : x[k])));
    return row;
  }));
  $("performance").dataset.months = String(months.length);
}

function chart(id, config) {
  if (state.charts[id]) state.charts[id].destroy();
  state.charts[id] = new Chart($(id), config);
}

// ---- reports and complaints (投诉举报): triage by investigators
const REPORT_FIELDS = `reportId category channel status version summary namedText receivedAt receivedBy dueDate overdue
  assignee rejectReason named { kind key name } findingIds investigationIds events { action by at note }`;
const REPORTS = `query($purpose: String!, $overdue: Boolean!) { reports(purpose: $purpose, overdueOnly: $overdue) {
  __typename ... on ReportList { reports { ${REPORT_FIELDS} } } ... on Forbidden { message } ... on InvalidInput { message } } }`;
const REPORT = `query($id: String!, $purpose: String!) { report(reportId: $id, purpose: $purpose) { __typename
  ... on Report { ${REPORT_FIELDS} } ... on NotFound { message } ... on Forbidden { message } ... on InvalidInput { message } } }`;
const REPORT_STEP = `__typename ... on Report { reportId status version } ... on VersionConflict { message }
  ... on InvalidTransition { message } ... on InvalidInput { field message } ... on Forbidden { message }
  ... on NotFound { message }`;
const reportTitle = (r) => `${g("category", r.category)} · ${g("report_status", r.status)}`;

async function loadReports(event) {
  if (event) event.preventDefault();
  const data = await gql(REPORTS, { purpose: $("purpose").value, overdue: $("r-overdue").checked });
  const result = data.reports;
  if (result.__typename === "Forbidden") { deny("reports"); return; }
  if (result.__typename !== "ReportList") { $("reports-message").textContent = problem(result); return; }
  state.shown.reports = result.reports;
  renderReports(result.reports);
}

function renderReports(rows) {
  $("reports-message").textContent = rows.length ? "" : t("no_rows");
  $("report-list").tBodies[0].replaceChildren(...rows.map((r) => {
    const row = el("tr", undefined, { "data-id": r.reportId, "data-overdue": String(r.overdue) });
    if (r.overdue) row.classList.add("overdue");
    const due = r.dueDate ? `${r.dueDate}${r.overdue ? ` · ${t("overdue")}` : ""}` : "";
    row.append(el("td", when(r.receivedAt)), el("td", g("category", r.category)), el("td", g("channel", r.channel)),
               el("td", g("report_status", r.status)), el("td", due), el("td", r.assignee || ""),
               el("td", r.summary.slice(0, 60)));
    row.addEventListener("click", () => openReport(r.reportId).catch((e) => { $("reports-message").textContent = e.message; }));
    return row;
  }));
  $("reports").dataset.count = String(rows.length);
}

async function openReport(id) {
  const data = await gql(REPORT, { id, purpose: $("purpose").value });
  const r = data.report;
  if (r.__typename !== "Report") { $("reports-message").textContent = problem(r); return; }
  state.report = r;
  renderReport(r);
}

function renderReport(r) {
  $("report").hidden = false;
  $("report").dataset.id = r.reportId;
  $("report").dataset.status = r.status;
  $("report-title").textContent = reportTitle(r) + (r.overdue ? ` · ${t("overdue")}` : "");
  $("report-summary").textContent = r.summary;
  const dl = $("report-facts");
  dl.replaceChildren(el("dt", t("col_channel")), el("dd", g("channel", r.channel)),
                     el("dt", t("col_due")), el("dd", r.dueDate || ""),
                     el("dt", t("col_assignee")), el("dd", r.assignee || ""),
                     el("dt", t("named_h")), el("dd", [r.namedText || "", ...r.named.map((n) =>
                       `${g("node", n.kind)}: ${n.name || ""} ${n.key}`)].filter(Boolean).join("；"), { id: "report-named" }),
                     el("dt", t("linked_findings")), el("dd", r.findingIds.join("，"), { id: "report-findings" }));
  if (r.rejectReason) dl.append(el("dt", t("col_reason")), el("dd", r.rejectReason));
  $("report-meta").textContent = r.events.map((e) => `${when(e.at)} ${e.by} ${g("event", e.action)}`).join(" · ");
  const open = ["received", "assigned", "investigating"].includes(r.status);
  for (const id of ["report-link-person", "report-link-finding", "pick-report"]) $(id).hidden = !open;
  for (const id of ["report-assign", "report-reject"]) $(id).hidden = !["received", "assigned"].includes(r.status);
}

async function reportStep(event, query, extra) {
  event.preventDefault();
  const r = state.report;
  const data = await gql(query, { id: r.reportId, v: r.version, ...extra });
  $("reports-message").textContent = data.r.__typename === "Report" ? t("done") : problem(data.r);
  event.target.reset();
  await openReport(r.reportId);
  loadReports();
}

const ASSIGN_REPORT = `mutation($id: String!, $v: Int!, $x: String!) { r: assignReport(reportId: $id, expectedVersion: $v,
  assignee: $x) { ${REPORT_STEP} } }`;
const LINK_REPORT = `mutation($id: String!, $v: Int!, $links: ReportLinks!) { r: linkReport(reportId: $id,
  expectedVersion: $v, links: $links) { ${REPORT_STEP} } }`;
const REJECT_REPORT = `mutation($id: String!, $v: Int!, $x: String!) { r: rejectReport(reportId: $id, expectedVersion: $v,
  reason: $x) { ${REPORT_STEP} } }`;

// ---- the selection a new investigation opens from
function pick(kind, id) {
  state.picked = state.picked || { findings: [], reports: [] };
  if (!state.picked[kind].includes(id)) state.picked[kind].push(id);
  renderPicked();
  $(kind === "findings" ? "finding-message" : "reports-message").textContent = t("done");
}

function renderPicked() {
  const p = state.picked || { findings: [], reports: [] };
  const words = [...p.findings.map((id) => `${t("findings_in")} ${id}`), ...p.reports.map((id) => `${t("reports_in")} ${id}`)];
  $("inv-picked").textContent = words.length ? words.join("，") : t("nothing_picked");
  $("inv-open").dataset.picked = String(words.length);
}

// ---- investigations (核查案卷)
const INVESTIGATIONS = `{ investigations { __typename ... on InvestigationList { investigations {
  investigationId title owner status openedAt findingCount reportCount } } ... on Forbidden { message }
  ... on InvalidInput { message } } }`;
const INVESTIGATION = `query($id: String!, $purpose: String!) { investigation(investigationId: $id, purpose: $purpose) {
  __typename ... on Investigation { investigationId title owner status version openedAt openedBy referredTo outcome conclusion
    findings { findingId kind status score } reports { reportId category status summary }
    notes { noteId text author at } attachments { attachmentId filename mediaType size uploadedBy uploadedAt downloadPath }
    events { action by at } }
  ... on NotFound { message } ... on Forbidden { message } ... on InvalidInput { message } } }`;
const INV_STEP = `__typename ... on Investigation { investigationId status version } ... on VersionConflict { message }
  ... on InvalidTransition { message } ... on InvalidInput { field message } ... on Forbidden { message }
  ... on NotFound { message }`;

async function loadInvestigations() {
  const data = await gql(INVESTIGATIONS);
  const result = data.investigations;
  if (result.__typename === "Forbidden") { deny("investigations"); return; }
  if (result.__typename !== "InvestigationList") { $("investigations-message").textContent = problem(result); return; }
  state.shown.investigations = result.investigations;
  renderInvestigations(result.investigations);
}

function renderInvestigations(rows) {
  renderPicked();
  $("investigations-message").textContent = rows.length ? "" : t("no_rows");
  $("investigation-list").tBodies[0].replaceChildren(...rows.map((i) => {
    const row = el("tr", undefined, { "data-id": i.investigationId, "data-status": i.status });
    row.append(el("td", when(i.openedAt)), el("td", i.title), el("td", i.owner),
               el("td", g("investigation_status", i.status)), el("td", `${i.findingCount} / ${i.reportCount}`));
    row.addEventListener("click", () => openInvestigation(i.investigationId)
      .catch((e) => { $("investigations-message").textContent = e.message; }));
    return row;
  }));
  $("investigations").dataset.count = String(rows.length);
}

async function openInvestigation(id) {
  const data = await gql(INVESTIGATION, { id, purpose: $("purpose").value });
  const i = data.investigation;
  if (i.__typename !== "Investigation") { $("investigations-message").textContent = problem(i); return; }
  state.investigation = i;
  renderInvestigation(i);
}

function renderInvestigation(i) {
  const box = $("investigation");
  box.hidden = false;
  box.dataset.id = i.investigationId;
  box.dataset.status = i.status;
  box.dataset.notes = String(i.notes.length);
  box.dataset.attachments = String(i.attachments.length);
  $("inv-heading").textContent = `${i.title} · ${g("investigation_status", i.status)}`;
  const end = [i.referredTo && g("referred_to", i.referredTo), i.outcome && g("outcome", i.outcome), i.conclusion];
  $("inv-meta").textContent = [`${t("owner_h")} ${i.owner}`, ...end.filter(Boolean),
    ...i.events.map((e) => `${when(e.at)} ${e.by} ${g("event", e.action)}`)].join(" · ");
  $("inv-findings").replaceChildren(...i.findings.map((f) => {
    const li = el("li", `${kindLabel(f.kind)} · ${f.score.toFixed(2)} · ${t(`st_${f.status}`)}`, { "data-id": f.findingId });
    // The finding shown before stays hidden until this one is read, so no one acts on the wrong one.
    li.addEventListener("click", () => { $("finding").hidden = true; show("findings"); openFinding(f.findingId); });
    return li;
  }));
  $("inv-reports").replaceChildren(...i.reports.map((r) => {
    const li = el("li", `${g("category", r.category)} · ${g("report_status", r.status)} · ${r.summary.slice(0, 60)}`,
                  { "data-id": r.reportId });
    li.addEventListener("click", () => { $("report").hidden = true; show("reports"); openReport(r.reportId); });
    return li;
  }));
  $("inv-notes").replaceChildren(...i.notes.map((n) => el("li", `${when(n.at)} ${n.author}：${n.text}`)));
  $("inv-attachments").replaceChildren(...i.attachments.map((a) => {
    const li = el("li", undefined, { "data-id": a.attachmentId });
    const link = el("a", `${a.filename} (${Math.ceil(a.size / 1024)} KB)`, { href: "#", class: "download" });
    link.addEventListener("click", (e) => { e.preventDefault(); download(a.downloadPath, a.filename, "investigations-message"); });
    li.append(link, el("span", ` · ${a.uploadedBy} · ${when(a.uploadedAt)}`));
    return li;
  }));
  const active = ["open", "under_review"].includes(i.status);
  $("inv-submit-review").hidden = i.status !== "open";
  for (const id of ["inv-note", "inv-upload", "inv-refer", "inv-close"]) $(id).hidden = !active;
  options("inv-refer-to", "referred_to");
  options("inv-outcome", "outcome");
}

function options(id, group) {
  const select = $(id);
  const chosen = select.value;
  select.replaceChildren(...Object.keys(state.glossary[group] || {}).map((code) =>
    el("option", g(group, code), { value: code.toUpperCase() })));
  if (chosen) select.value = chosen;
}

// A file the API gives only with the bearer key: fetched, then saved from memory.
async function download(path, filename, messageId) {
  const sep = path.includes("?") ? "&" : "?";
  const url = path.includes("purpose=") ? path : `${path}${sep}purpose=${encodeURIComponent($("purpose").value)}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${state.token}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    console.info(body.error);
    $(messageId).textContent = t(response.status === 403 ? "forbidden" : response.status === 404 ? "not_found" : "error");
    return;
  }
  el("a", undefined, { href: URL.createObjectURL(await response.blob()), download: filename }).click();
}

async function openNewInvestigation(event) {
  event.preventDefault();
  const p = state.picked || { findings: [], reports: [] };
  const data = await gql(`mutation($title: String!, $f: [String!], $r: [String!]) { r: openInvestigation(title: $title,
    findingIds: $f, reportIds: $r) { ${INV_STEP} } }`, { title: $("inv-title").value.trim(), f: p.findings, r: p.reports });
  if (data.r.__typename !== "Investigation") { $("investigations-message").textContent = problem(data.r); return; }
  state.picked = { findings: [], reports: [] };
  $("inv-open").reset();
  $("investigations-message").textContent = t("done");
  await loadInvestigations();
  await openInvestigation(data.r.investigationId);
}

async function invStep(event, query, extra) {
  if (event) event.preventDefault();
  const i = state.investigation;
  const data = await gql(query, { id: i.investigationId, v: i.version, ...extra });
  $("investigations-message").textContent = ["Investigation", "Note"].includes(data.r.__typename) ? t("done") : problem(data.r);
  if (event && event.target.reset) event.target.reset();
  await openInvestigation(i.investigationId);
  loadInvestigations();
}

async function uploadAttachment(event) {
  event.preventDefault();
  const file = $("inv-file").files[0];
  if (!file) { $("investigations-message").textContent = t("no_file"); return; }
  const body = new FormData();
  body.append("file", file);
  const id = state.investigation.investigationId;
  const response = await fetch(`/investigations/${encodeURIComponent(id)}/attachments`, {
    method: "POST", headers: { authorization: `Bearer ${state.token}` }, body });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    console.info(answer.error);
    $("investigations-message").textContent = t({ 403: "forbidden", 404: "not_found", 413: "too_big",
                                                  415: "bad_type" }[response.status] || "error");
    return;
  }
  $("inv-upload").reset();
  $("investigations-message").textContent = t("done");
  await openInvestigation(id);
}

// ---- the inbox (通知)
const INBOX = `{ inbox { __typename ... on Inbox { unread notifications { notificationId kind about textZh textEn createdAt
  read } } ... on Forbidden { message } ... on InvalidInput { message } } }`;

async function loadInbox() {
  const data = await gql(INBOX);
  const inbox = data.inbox;
  if (inbox.__typename !== "Inbox") { $("inbox-message").textContent = problem(inbox); return; }
  state.shown.inbox = inbox;
  renderInbox(inbox);
}

function renderInbox(inbox) {
  $("inbox-badge").textContent = String(inbox.unread);
  $("inbox-badge").hidden = !inbox.unread;
  $("inbox").dataset.unread = String(inbox.unread);
  $("inbox-list").replaceChildren(...inbox.notifications.map((n) => {
    const li = el("li", `${when(n.createdAt)} ${g("notification", n.kind)} · ${n.about}`,
                  { "data-id": n.notificationId, "data-kind": n.kind });
    if (!n.read) li.classList.add("unread");
    return li;
  }));
  $("inbox-message").textContent = inbox.notifications.length ? "" : t("no_rows");
}

async function markRead() {
  const ids = ((state.shown.inbox || {}).notifications || []).filter((n) => !n.read).map((n) => n.notificationId);
  if (!ids.length) return;
  const data = await gql(`mutation($ids: [String!]!) { r: markNotificationsRead(notificationIds: $ids) { __typename
    ... on MarkedRead { marked } ... on Forbidden { message } ... on InvalidInput { message } } }`, { ids });
  if (data.r.__typename !== "MarkedRead") $("inbox-message").textContent = problem(data.r);
  await loadInbox();
}

// ---- wiring
window.addEventListener("DOMContentLoaded", async () => {
  try {
    state.glossary = await (await fetch("glossary.json")).json();
  } catch (error) { console.info("glossary", error); }
  translate();
  $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()); });
  $("signout").addEventListener("click", () => { sessionStorage.removeItem("rg_token"); location.reload(); });
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("rg_lang", state.lang);
    rerender();
  });
  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
  $("search-form").addEventListener("submit", search);
  $("finding-filter").addEventListener("submit", (e) => { e.preventDefault(); loadFindings(true); });
  $("more").addEventListener("click", () => loadFindings(false));
  for (const action of ["assign", "confirm", "dismiss"]) $(action).addEventListener("click", () => startReview(action));
  $("review-form").addEventListener("submit", submitReview);
  $("dash-form").addEventListener("submit", loadDashboard);
  $("publicity-form").addEventListener("submit", loadPublicity);
  $("p-csv").addEventListener("click", downloadPublicityCsv);
  $("p-print").addEventListener("click", () => window.print());
  $("report-filter").addEventListener("submit", (e) => loadReports(e).catch((x) => { $("reports-message").textContent = x.message; }));
  const guard = (box, handler) => (e) => handler(e).catch((x) => { $(box).textContent = x.message; });
  $("report-assign").addEventListener("submit", guard("reports-message", (e) =>
    reportStep(e, ASSIGN_REPORT, { x: $("r-assignee").value.trim() })));
  $("report-reject").addEventListener("submit", guard("reports-message", (e) =>
    reportStep(e, REJECT_REPORT, { x: $("r-reason").value.trim() })));
  $("report-link-person").addEventListener("submit", guard("reports-message", (e) =>
    reportStep(e, LINK_REPORT, { links: { personIdNumbers: [$("r-person").value.replace(/\s/g, "")] } })));
  $("report-link-finding").addEventListener("submit", guard("reports-message", (e) =>
    reportStep(e, LINK_REPORT, { links: { findingIds: [$("r-finding").value.trim()] } })));
  $("pick-report").addEventListener("click", () => pick("reports", state.report.reportId));
  $("pick-finding").addEventListener("click", () => pick("findings", state.finding.findingId));
  $("evidence-pack").addEventListener("click", () => download(
    `/evidence/finding/${encodeURIComponent(state.finding.findingId)}.pdf`, `evidence-${state.finding.findingId}.pdf`,
    "finding-message").catch((x) => { $("finding-message").textContent = x.message; }));
  $("inv-open").addEventListener("submit", guard("investigations-message", openNewInvestigation));
  $("inv-note").addEventListener("submit", guard("investigations-message", (e) => invStep(e,
    `mutation($id: String!, $x: String!) { r: addInvestigationNote(investigationId: $id, text: $x) {
     __typename ... on Note { noteId } ... on NotFound { message } ... on Forbidden { message } ... on InvalidInput { message } } }`,
    { x: $("inv-note-text").value.trim() })));
  $("inv-upload").addEventListener("submit", guard("investigations-message", uploadAttachment));
  $("inv-submit-review").addEventListener("click", guard("investigations-message", () => invStep(null,
    `mutation($id: String!, $v: Int!) { r: moveInvestigation(investigationId: $id, expectedVersion: $v, move: SUBMIT_REVIEW) {
     ${INV_STEP} } }`, {})));
  $("inv-refer").addEventListener("submit", guard("investigations-message", (e) => invStep(e,
    `mutation($id: String!, $v: Int!, $to: ReferredTo!, $x: String!) { r: referInvestigation(investigationId: $id,
     expectedVersion: $v, referredTo: $to, grounds: $x) { ${INV_STEP} } }`,
    { to: $("inv-refer-to").value, x: $("inv-grounds").value.trim() })));
  $("inv-close").addEventListener("submit", guard("investigations-message", (e) => invStep(e,
    `mutation($id: String!, $v: Int!, $o: Outcome!, $x: String!) { r: closeInvestigation(investigationId: $id,
     expectedVersion: $v, outcome: $o, conclusion: $x) { ${INV_STEP} } }`,
    { o: $("inv-outcome").value, x: $("inv-conclusion").value.trim() })));
  $("inbox-read").addEventListener("click", () => markRead().catch((x) => { $("inbox-message").textContent = x.message; }));
  if (state.token) signIn(state.token); else show("signin");
});
