import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The dependency arrows of docs/architecture.md, checked over every source file's imports.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Workspace folder → the `@nora/*` packages it may import. Folders not listed are not checked. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  "packages/core": [],
  "packages/api-contract": [],
  "packages/api-client": ["api-contract"],
  "packages/ui": ["api-contract"],
  "agent-runtime": ["core"],
  "packages/backends": ["core", "agent-runtime"],
  "packages/domain": ["core", "agent-runtime", "backends", "api-contract"],
  "backend-api": ["core", "domain", "agent-runtime", "api-contract"],
  "workers/provisioner": ["core", "domain", "agent-runtime"],
  "workers/backup": ["core", "domain"],
  "frontend-marketing": ["ui", "api-client", "api-contract"],
  "frontend-dashboard": ["ui", "api-client", "api-contract"],
  "admin-dashboard": ["ui", "api-client", "api-contract"],
};
/** What a package's tests may import beyond its sources' arrows: the API's tests drive it with the typed client. */
const TESTS_MAY_IMPORT: Record<string, readonly string[]> = {
  // The test cluster (`@nora/backends/testing-cluster`) is test tooling the end-to-end tests start.
  "backend-api": ["api-client", "backends"],
};
/** Node-only or HTTP packages the domain must not see: a service never handles a request. */
const DOMAIN_FORBIDDEN = ["express", "cookie", "cors"];
/**
 * Relative imports across packages still allowed, each with its reason. The runtime-process harness is
 * test support of agent-runtime that API tests share; it belongs behind `@nora/agent-runtime/testing`.
 */
const KNOWN_CROSSINGS = new Set(["agent-runtime/test/support.js"]);

export interface SourceFile {
  /** Repository-relative path with `/` separators. */
  path: string;
  text: string;
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;
const SERVICE_FACTORY_RE = /import\s*\{([^}]*)\}\s*from\s*["'](@nora\/domain\/[^"']+)["']/g;
const QUERY_RE = /\b(?:pool|tx|db|client)\s*\.\s*query\s*[<(]/;

function packageOf(path: string): string | undefined {
  const parts = path.split("/");
  const two = `${parts[0]}/${parts[1]}`;
  if (parts[0] === "packages" || parts[0] === "workers") return two;
  return parts[0];
}

/** The domain a file of packages/domain/src belongs to (`auth` for auth/oauth/service.ts). */
function domainOf(path: string): string | undefined {
  const m = /^packages\/domain\/src\/([^/]+)\//.exec(path);
  return m?.[1];
}

const isRepo = (path: string) => /(^|\/|-)repo\.ts$/.test(path);

export function violations(files: readonly SourceFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const pkg = packageOf(file.path);
    const allowed = pkg ? MAY_IMPORT[pkg] : undefined;
    const isTest = /\.test\.ts$|\/test\//.test(file.path);
    for (const match of file.text.matchAll(IMPORT_RE)) {
      const spec = match[1] ?? "";
      const where = `${file.path}: ${spec}`;
      if (spec.startsWith(".")) {
        const target = normalize(join(dirname(file.path), spec))
          .split(sep)
          .join("/");
        if (packageOf(target) !== pkg && !(isTest && KNOWN_CROSSINGS.has(target))) {
          found.push(`${where}: a relative import leaves ${pkg}`);
        }
        const from = domainOf(file.path);
        const to = domainOf(target.replace(/\.js$/, ".ts"));
        if (from && to && from !== to && isRepo(target.replace(/\.js$/, ".ts"))) {
          found.push(`${where}: the ${from} domain reaches into ${to}'s repo (use its service)`);
        }
        continue;
      }
      const nora = /^@nora\/([^/]+)/.exec(spec)?.[1];
      if (nora === "domain" && pkg !== "packages/domain" && /\/[^/]*repo(\.js)?$/.test(spec)) {
        found.push(`${where}: only the domain reads its repos (use a service)`);
      }
      const testOnly = isTest && pkg ? (TESTS_MAY_IMPORT[pkg] ?? []) : [];
      if (
        nora &&
        allowed &&
        !allowed.includes(nora) &&
        !testOnly.includes(nora) &&
        `packages/${nora}` !== pkg
      ) {
        found.push(`${where}: ${pkg} may not import @nora/${nora}`);
      }
      if (pkg === "packages/domain" && !isTest && DOMAIN_FORBIDDEN.includes(spec)) {
        found.push(`${where}: the domain never handles HTTP`);
      }
    }
    const buildsServices = pkg === "backend-api" || pkg?.startsWith("workers/");
    for (const [, names, spec] of buildsServices && !isTest ? file.text.matchAll(SERVICE_FACTORY_RE) : []) {
      if (/\bcreate\w+Service\b/.test(names ?? "")) {
        found.push(`${file.path}: ${spec}: a process builds its services once, with createDomain`);
      }
    }
    const sqlChecked = pkg === "packages/domain" || pkg === "backend-api" || pkg?.startsWith("workers/");
    if (sqlChecked && !isTest && !isRepo(file.path) && QUERY_RE.test(file.text)) {
      found.push(`${file.path}: runs SQL outside a repo`);
    }
  }
  return found;
}

function sourcesUnder(dir: string): SourceFile[] {
  const abs = join(ROOT, dir);
  let names: string[];
  try {
    names = readdirSync(abs, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.tsx?$/.test(n) && !n.endsWith(".d.ts") && !n.split(sep).includes("node_modules"))
    .map((n) => {
      const full = join(abs, n);
      return { path: relative(ROOT, full).split(sep).join("/"), text: readFileSync(full, "utf8") };
    });
}

describe("dependency direction", () => {
  const tree = [
    "packages/core/src",
    "packages/domain/src",
    "agent-runtime/src",
    "backend-api/src",
    "backend-api/test",
    "workers/provisioner/src",
    "workers/backup/src",
    "packages/api-contract/src",
    "packages/api-client/src",
    "packages/ui/src",
    "frontend-marketing/app",
    "frontend-dashboard/app",
    "admin-dashboard/app",
  ]
    .flatMap(sourcesUnder)
    // This file's own examples of wrong arrows are strings, not imports.
    .filter((f) => f.path !== "backend-api/test/architecture.test.ts");

  it("scans the tree it guards", () => {
    expect(tree.some((f) => f.path === "packages/domain/src/index.ts")).toBe(true);
    expect(tree.some((f) => f.path === "backend-api/src/app.ts")).toBe(true);
    expect(tree.length).toBeGreaterThan(150);
  });

  it("every import in the tree points the right way", () => {
    expect(violations(tree)).toEqual([]);
  });

  it("catches each kind of wrong arrow", () => {
    const cases: [SourceFile, RegExp][] = [
      [
        { path: "packages/core/src/x.ts", text: 'import { a } from "@nora/domain";' },
        /may not import @nora\/domain/,
      ],
      [
        { path: "packages/domain/src/auth/x.ts", text: 'import { buildApp } from "@nora/backend-api";' },
        /may not import @nora\/backend-api/,
      ],
      [
        { path: "packages/domain/src/auth/x.ts", text: 'import type { Request } from "express";' },
        /never handles HTTP/,
      ],
      [{ path: "backend-api/src/x.ts", text: 'import "@nora/worker-backup";' }, /may not import/],
      [{ path: "workers/backup/src/x.ts", text: 'import "@nora/backend-api";' }, /may not import/],
      [
        { path: "backend-api/src/app.ts", text: 'import { x } from "../../packages/domain/src/index.js";' },
        /relative import leaves backend-api/,
      ],
      [
        { path: "packages/domain/src/admin/service.ts", text: 'import { f } from "../auth/repo.js";' },
        /admin domain reaches into auth's repo/,
      ],
      [
        {
          path: "packages/domain/src/auth/oauth/service.ts",
          text: 'import { f } from "../../agents/env-overrides-repo.js";',
        },
        /auth domain reaches into agents's repo/,
      ],
      [
        { path: "backend-api/src/http/x.ts", text: 'import { f } from "@nora/domain/auth/repo";' },
        /only the domain reads its repos/,
      ],
      [
        {
          path: "workers/backup/src/x.ts",
          text: 'import { f } from "@nora/domain/agents/env-overrides-repo.js";',
        },
        /only the domain reads its repos/,
      ],
      [
        {
          path: "backend-api/src/server.ts",
          text: 'import { createAuthService } from "@nora/domain/auth/service";',
        },
        /builds its services once, with createDomain/,
      ],
      [
        { path: "packages/domain/src/auth/service.ts", text: 'await tx.query("SELECT 1");' },
        /SQL outside a repo/,
      ],
      [
        { path: "backend-api/src/routes/x.ts", text: "await pool.query<{ a: 1 }>(sql);" },
        /SQL outside a repo/,
      ],
    ];
    for (const [file, expected] of cases) {
      expect(violations([file]).join("\n"), file.text).toMatch(expected);
    }
    // What is allowed stays allowed: a domain's own repo, another domain's service, SQL in a repo.
    expect(
      violations([
        { path: "packages/domain/src/auth/oauth/service.ts", text: 'import { f } from "../repo.js";' },
        { path: "packages/domain/src/admin/service.ts", text: 'import { f } from "../auth/service.js";' },
        { path: "packages/domain/src/admin/repo.ts", text: 'await db.query("SELECT 1");' },
        { path: "backend-api/src/app.ts", text: 'import { createDomain } from "@nora/domain";' },
        { path: "backend-api/src/app.ts", text: 'import { f } from "@nora/domain/auth/authentication";' },
      ]),
    ).toEqual([]);
  });
});
