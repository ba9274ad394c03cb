// Copies the libraries the workbench and GraphiQL load from node_modules into static/vendor:
//   npm ci && npm run vendor
// GraphiQL's UMD bundle carries graphql-js inside it and needs only React and ReactDOM as
// globals; the page that loads them is reliefgraph/templates/graphiql.html.
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("static/vendor/graphiql", { recursive: true });
for (const [from, to] of [
  ["node_modules/cytoscape/dist/cytoscape.min.js", "static/vendor/cytoscape.min.js"],
  ["node_modules/chart.js/dist/chart.umd.min.js", "static/vendor/chart.umd.min.js"],
  ["node_modules/react/umd/react.production.min.js", "static/vendor/graphiql/react.production.min.js"],
  ["node_modules/react-dom/umd/react-dom.production.min.js", "static/vendor/graphiql/react-dom.production.min.js"],
  ["node_modules/graphiql/graphiql.min.js", "static/vendor/graphiql/graphiql.min.js"],
  ["node_modules/graphiql/graphiql.min.css", "static/vendor/graphiql/graphiql.min.css"],
]) {
  copyFileSync(from, to);
  console.log(`${from} -> ${to}`);
}
