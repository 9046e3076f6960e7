// Copies the front-end packages that pages load into the static folder of madoguchi.
// Run by `make` after `npm ci`; the copies are not committed.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "src", "madoguchi", "static", "vendor");
mkdirSync(vendor, { recursive: true });

const files = [
  ["node_modules/@digital-go-jp/design-tokens/dist/tokens.css", "design-tokens.css"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
];
for (const [from, to] of files) {
  copyFileSync(join(root, from), join(vendor, to));
  console.log(`static/vendor/${to} ← ${from}`);
}
