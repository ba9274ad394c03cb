// Copies the libraries the workbench loads from node_modules into static/vendor:
//   npm ci && npm run vendor
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("static/vendor", { recursive: true });
for (const [from, to] of [
  ["node_modules/cytoscape/dist/cytoscape.min.js", "static/vendor/cytoscape.min.js"],
  ["node_modules/chart.js/dist/chart.umd.min.js", "static/vendor/chart.umd.min.js"],
]) {
  copyFileSync(from, to);
  console.log(`${from} -> ${to}`);
}
