// bench/ui first-load JS: what a browser downloads to run each route of a built Next.js app, read
// from the build itself. Next 16 no longer prints sizes in `next build`, so this reads each prerendered
// page (.next/server/app/**/*.html), takes every script it loads (`<script src>` and script preloads,
// not the `noModule` polyfills), and sums their gzip sizes. Usage: node bench/ui/first-load-js.mjs [app-dir ...] [--budget-kb=N]
// (default: the three apps; with a budget, exits 1 when a route is over it).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const args = process.argv.slice(2);
const budgetArg = args.find((a) => a.startsWith("--budget-kb="));
const budgetKb = budgetArg ? Number(budgetArg.split("=")[1]) : undefined;
const apps = args.filter((a) => !a.startsWith("--"));
const appDirs = (
  apps.length > 0 ? apps : ["frontend-marketing", "frontend-dashboard", "admin-dashboard"]
).map((dir) => resolve(ROOT, dir));

function htmlFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...htmlFiles(path));
    else if (name.endsWith(".html")) out.push(path);
  }
  return out;
}

/**
 * The scripts a page loads, as paths under .next/ (the basePath and /_next/ prefix stripped). A
 * `noModule` script (Next's polyfills for old browsers) is skipped: a current browser never fetches it.
 */
function scriptsOf(html) {
  const srcs = new Set();
  for (const [tag, src] of html.matchAll(/<script[^>]*\ssrc="([^"]+)"[^>]*>/g)) {
    if (!/\snomodule/i.test(tag)) srcs.add(src);
  }
  for (const [tag] of html.matchAll(/<link[^>]*>/g)) {
    if (/rel="preload"/.test(tag) && /as="script"/.test(tag)) {
      const href = /href="([^"]+)"/.exec(tag)?.[1];
      if (href) srcs.add(href);
    }
  }
  return [...srcs].map((src) => src.replace(/^.*?\/_next\//, "").replace(/\?.*$/, ""));
}

const gzipCache = new Map();
function sizes(nextDir, file) {
  const path = join(nextDir, file);
  if (!gzipCache.has(path)) {
    const bytes = readFileSync(path);
    gzipCache.set(path, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return gzipCache.get(path);
}

const kb = (n) => (n / 1024).toFixed(1);
let over = 0;
for (const appDir of appDirs) {
  const nextDir = join(appDir, ".next");
  const pagesDir = join(nextDir, "server", "app");
  if (!existsSync(pagesDir)) {
    process.stdout.write(`${relative(ROOT, appDir)}: not built (run npx turbo run build first)\n`);
    process.exitCode = 1;
    continue;
  }
  process.stdout.write(`\n${relative(ROOT, appDir)}  first-load JS per route (gzip level 9 / raw)\n`);
  const rows = [];
  for (const file of htmlFiles(pagesDir)) {
    const route = `/${relative(pagesDir, file).replace(/\.html$/, "")}`.replace(/\/index$/, "/");
    if (route.startsWith("/_global-error")) continue;
    const scripts = scriptsOf(readFileSync(file, "utf8"));
    let raw = 0;
    let gzip = 0;
    for (const script of scripts) {
      const size = sizes(nextDir, script);
      raw += size.raw;
      gzip += size.gzip;
    }
    rows.push({ route, count: scripts.length, raw, gzip });
  }
  rows.sort((a, b) => a.route.localeCompare(b.route));
  const width = Math.max(...rows.map((r) => r.route.length), 5);
  for (const row of rows) {
    const flag = budgetKb !== undefined && row.gzip / 1024 > budgetKb ? "  OVER BUDGET" : "";
    if (flag) over++;
    process.stdout.write(
      `  ${row.route.padEnd(width)}  ${kb(row.gzip).padStart(7)} KB gzip  ${kb(row.raw).padStart(7)} KB raw  ${String(row.count).padStart(2)} files${flag}\n`,
    );
  }
}
if (budgetKb !== undefined) {
  process.stdout.write(`\nbudget ${budgetKb} KB gzip per route: ${over === 0 ? "met" : `${over} over`}\n`);
  if (over > 0) process.exitCode = 1;
}
