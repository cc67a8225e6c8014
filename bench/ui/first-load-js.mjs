// bench/ui first-load JS: what a browser downloads to run each route of a built Next.js app, read
// from the build itself. Next 16 no longer prints sizes in `next build`, so this reads each prerendered
// page (.next/server/app/**/*.html), takes every script it loads (`<script src>` and script preloads,
// not the `noModule` polyfills), and sums their gzip sizes. Usage: node bench/ui/first-load-js.mjs [app-dir ...] [--budget-kb=N]
// (default: the three apps; with a budget, exits 1 when a route is over it). Routes rendered on demand
// (`/w/[workspaceId]/...`) have no prerendered page: the built app is started (`next start`, loopback)
// and each is asked once with placeholder ids; its HTML names the same scripts a browser would load.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
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
const PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000";
const NEXT_BIN = join(ROOT, "node_modules", "next", "dist", "bin", "next");

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The HTML of each route rendered on demand, from the built app under `next start` on loopback. */
async function dynamicPages(appDir, nextDir) {
  const manifest = join(nextDir, "app-path-routes-manifest.json");
  if (!existsSync(manifest)) return [];
  const routes = Object.values(JSON.parse(readFileSync(manifest, "utf8"))).filter((r) => r.includes("["));
  if (routes.length === 0) return [];
  const basePath = JSON.parse(readFileSync(join(nextDir, "required-server-files.json"), "utf8")).config
    .basePath;
  const port = await freePort();
  const next = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: appDir,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "ignore",
  });
  try {
    const origin = `http://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${origin}${basePath}/`, { redirect: "manual" }).catch(() => undefined);
      if (res) break;
      if (attempt > 300 || next.exitCode !== null) throw new Error(`next start did not come up in ${appDir}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pages = [];
    for (const route of routes) {
      const path = route.replace(/\[[^\]]+\]/g, PLACEHOLDER_ID);
      const res = await fetch(`${origin}${basePath}${path}`, { redirect: "manual" });
      // A route that only redirects (e.g. a workspace's root to its agents) loads no page of its own.
      if (res.status !== 200) continue;
      pages.push({ route, html: await res.text() });
    }
    return pages;
  } finally {
    next.kill();
  }
}
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
  for (const { route, html } of await dynamicPages(appDir, nextDir)) {
    const scripts = scriptsOf(html);
    let raw = 0;
    let gzip = 0;
    for (const script of scripts) {
      const size = sizes(nextDir, script);
      raw += size.raw;
      gzip += size.gzip;
    }
    rows.push({ route: `${route} (on demand)`, count: scripts.length, raw, gzip });
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
