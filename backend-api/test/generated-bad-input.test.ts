import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { requirementOf } from "../src/http/authorize.js";
import { type RouteSchemas, schemasOf } from "../src/http/validate.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { ORIGIN, userWithSession } from "./identity.js";

/**
 * Generated bad input: every route of the real app, found by walking its router, with the schemas its
 * handler declares through `validated`. From each schema the test builds a request that the schema
 * accepts, then breaks one field at a time: every string gets a NUL, a lone surrogate and an over-long
 * value, every integer a value beyond int4, every numeric or date query a value beyond PostgreSQL's
 * range, every path parameter a NUL, invalid UTF-8 and an over-long segment. Each answer must be a 4xx
 * with the request id (body and query mutants: `validation_failed` naming the field), and no table may
 * change. A new route is covered as soon as it is mounted.
 */

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle?: { stack?: Layer[] };
}
interface RouteEntry {
  method: string;
  path: string;
  requirement: string | undefined;
  schemas: RouteSchemas;
}

function routesOf(stack: Layer[]): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const handles = layer.route.stack.map((l) => l.handle);
      const requirement = handles.map(requirementOf).find(Boolean)?.kind;
      const schemas = handles.map(schemasOf).find(Boolean) ?? {};
      for (const method of Object.keys(layer.route.methods)) {
        out.push({ method: method.toUpperCase(), path: layer.route.path, requirement, schemas });
      }
    } else if (layer.handle?.stack) {
      out.push(...routesOf(layer.handle.stack));
    }
  }
  return out;
}

// ---- reading zod schemas (the parts request schemas use) ----

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  format?: string;
  pattern?: RegExp;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  element?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
}
interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  maximum?: number;
  minimum?: number;
  value?: number;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (WRAPPERS.has(defOf(current).type)) current = defOf(current).innerType as z.ZodType;
  return current;
}

/** The string schema a leaf starts from (a pipe's input), for its length and patterns. */
function stringCore(schema: z.ZodType): Def | undefined {
  let def = defOf(unwrap(schema));
  while (def.type === "pipe") def = defOf(unwrap(def.in as z.ZodType));
  return def.type === "string" ? def : undefined;
}
/** Every string schema on either side of a leaf's pipes (an email is a trimmed string piped into z.email). */
function stringDefs(schema: z.ZodType): Def[] {
  const def = defOf(unwrap(schema));
  if (def.type === "pipe") return [...stringDefs(def.in as z.ZodType), ...stringDefs(def.out as z.ZodType)];
  return def.type === "string" ? [def] : [];
}
function checksOf(def: Def): CheckDef[] {
  return (def.checks ?? []).map((c) => c._zod.def);
}
function maxLength(def: Def): number | undefined {
  const maxima = checksOf(def)
    .filter((c) => c.check === "max_length")
    .map((c) => c.maximum as number);
  return maxima.length ? Math.min(...maxima) : undefined;
}

/** One string that matches the simple anchored patterns request schemas use (the shortest choices). */
function sampleRegex(source: string): string {
  let i = 0;
  const atom = (): string => {
    const c = source[i] as string;
    if (c === "[") {
      const end = source.indexOf("]", i + 2);
      const body = source.slice(i + 1, end);
      i = end + 1;
      if (body.startsWith("\\x")) return String.fromCharCode(Number.parseInt(body.slice(2, 4), 16));
      if (body.startsWith("\\d")) return "0";
      return body[0] as string;
    }
    if (c === "(") {
      let depth = 0;
      let j = i;
      for (; j < source.length; j++) {
        if (source[j] === "(") depth++;
        if (source[j] === ")" && --depth === 0) break;
      }
      const inner = source.slice(i + 1, j);
      i = j + 1;
      if (inner.startsWith("?=") || inner.startsWith("?!")) return "";
      return sampleRegex(inner.split("|")[0] as string);
    }
    i++;
    if (c === "\\") {
      const e = source[i++] as string;
      return ({ d: "0", w: "a", S: "a", s: " " } as Record<string, string>)[e] ?? e;
    }
    return c === "." ? "a" : c;
  };
  let out = "";
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "^" || c === "$") {
      i++;
      continue;
    }
    const piece = atom();
    const q = source[i];
    let times = 1;
    if (q === "?" || q === "*") {
      times = 0;
      i++;
    } else if (q === "+") i++;
    else if (q === "{") {
      const end = source.indexOf("}", i);
      times = Number(source.slice(i + 1, end).split(",")[0]);
      i = end + 1;
    }
    out += piece.repeat(times);
  }
  return out;
}

const ISO_DATE = "2024-01-01T00:00:00.000Z";

/** A value the leaf schema accepts, or an error naming the field (so a new kind of field gets a sample). */
function sampleLeaf(schema: z.ZodType, where: string): unknown {
  const def = defOf(unwrap(schema));
  if (def.type === "enum") return Object.values(def.entries ?? {})[0];
  if (def.type === "literal") return def.values?.[0];
  if (def.type === "boolean") return false;
  const candidates: unknown[] = [];
  if (def.type === "number") {
    const min = checksOf(def).find((c) => c.check === "greater_than")?.value;
    candidates.push(min ?? 1, 1);
  }
  const core = stringCore(schema);
  if (core) {
    const strings = stringDefs(schema);
    const checks = strings.flatMap(checksOf);
    const formats = [...strings.map((d) => d.format), ...checks.map((c) => c.format)];
    if (formats.includes("uuid")) candidates.push(randomUUID());
    if (formats.includes("email")) candidates.push(`probe-${randomUUID().slice(0, 8)}@example.org`);
    if (formats.includes("url")) candidates.push("https://example.org/hook");
    for (const check of checks) {
      if (check.format === "regex" && check.pattern) candidates.push(sampleRegex(check.pattern.source));
    }
    const min = checks.find((c) => c.check === "min_length")?.minimum ?? 1;
    candidates.push("Probe value", "probe-value".padEnd(min, "x"), "1", ISO_DATE, "github");
  }
  const found = candidates.find((c) => schema.safeParse(c).success);
  if (found === undefined) throw new Error(`no sample value satisfies ${where}`);
  return found;
}

type Path = Array<string | number>;
interface Leaf {
  path: Path;
  schema: z.ZodType;
}

/** A body the schema accepts, and its leaves: one base per variant of a top-level union. */
function bodies(schema: z.ZodType): Array<{ value: unknown; leaves: Leaf[] }> {
  const top = unwrap(schema);
  const variants = defOf(top).type === "union" ? (defOf(top).options ?? []) : [top];
  return variants.map((variant) => {
    const leaves: Leaf[] = [];
    const value = build(variant, [], leaves);
    if (!schema.safeParse(value).success) {
      throw new Error(`generated body is not valid: ${JSON.stringify(value)}`);
    }
    return { value, leaves };
  });
}

function build(schema: z.ZodType, path: Path, leaves: Leaf[]): unknown {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === "pipe" && ["object", "array", "union"].includes(defOf(unwrap(def.in as z.ZodType)).type)) {
    return build(def.in as z.ZodType, path, leaves);
  }
  if (def.type === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(def.shape ?? {}))
      out[key] = build(field, [...path, key], leaves);
    return out;
  }
  if (def.type === "array") return [build(def.element as z.ZodType, [...path, 0], leaves)];
  if (def.type === "record") return {};
  if (def.type === "union") return build((def.options ?? [])[0] as z.ZodType, path, leaves);
  leaves.push({ path, schema: inner });
  return sampleLeaf(inner, path.join(".") || "(root)");
}

function setAt(value: unknown, path: Path, leaf: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
  cursor[path[path.length - 1] as string | number] = leaf;
  return copy;
}

/** What a leaf is, by what it accepts. */
function kindOf(leaf: Leaf): "text" | "date" | "number" | "integer" | "other" {
  const def = defOf(leaf.schema);
  if (def.type === "number") return "integer";
  if (!stringCore(leaf.schema)) return "other";
  if (leaf.schema.safeParse("abc").success) return "text";
  if (leaf.schema.safeParse(ISO_DATE).success) return "date";
  if (leaf.schema.safeParse("1").success) return "number";
  return "other";
}

function stringMutants(leaf: Leaf, sample: unknown, inQuery: boolean): Array<[string, string]> {
  const base = typeof sample === "string" ? sample : "x";
  const max = maxLength(stringCore(leaf.schema) as Def);
  const mutants: Array<[string, string]> = [
    ["NUL", `${base}\u0000`],
    // Unbounded fields get a value far beyond any sane bound; a query string stays under the URL limit.
    ["over-long", "x".repeat((max ?? (inQuery ? 2000 : 64 * 1024)) + 1)],
  ];
  // A query string cannot carry a lone surrogate: invalid UTF-8 decodes to U+FFFD.
  if (!inQuery) mutants.push(["lone surrogate", `${base}\uD800`]);
  return mutants;
}

// Beyond int8, so beyond every integer column and cursor.
const OUT_OF_RANGE_NUMBERS = ["9223372036854775808", "99999999999999999999"];
const OUT_OF_RANGE_DATES = ["-271821-04-20T00:00:00.000Z", "-100000-01-01T00:00:00.000Z"];

interface Mutant {
  label: string;
  path: string;
  body?: unknown;
  /** The field a validation error must name; absent for path parameters. */
  field?: string;
}

function bodyMutants(schema: z.ZodType, route: RouteEntry): Mutant[] {
  const out: Mutant[] = [];
  for (const [variant, { value, leaves }] of bodies(schema).entries()) {
    for (const leaf of leaves) {
      const field = leaf.path.join(".");
      const sample = leaf.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
      const kind = kindOf(leaf);
      const values: Array<[string, unknown]> =
        kind === "integer"
          ? [
              ["int4 + 1", 2_147_483_648],
              ["2^53", 2 ** 53],
            ]
          : kind === "other" && !stringCore(leaf.schema)
            ? []
            : stringMutants(leaf, sample, false);
      for (const [name, bad] of values) {
        out.push({
          label: `body ${variant}:${field} ${name}`,
          path: route.path,
          body: setAt(value, leaf.path, bad),
          field,
        });
      }
    }
  }
  return out;
}

function queryMutants(schema: z.ZodType, route: RouteEntry): Mutant[] {
  const def = defOf(unwrap(schema));
  const out: Mutant[] = [];
  for (const [name, field] of Object.entries(def.shape ?? {})) {
    const leaf = { path: [name], schema: unwrap(field) };
    if (!stringCore(leaf.schema)) continue;
    const kind = kindOf(leaf);
    const values: Array<[string, string]> =
      kind === "number"
        ? OUT_OF_RANGE_NUMBERS.map((v) => [`out of range ${v}`, v])
        : kind === "date"
          ? OUT_OF_RANGE_DATES.map((v) => [`out of range ${v}`, v])
          : [];
    values.push(...stringMutants(leaf, sampleLeaf(leaf.schema, name), true));
    for (const [label, bad] of values) {
      out.push({
        label: `query ${name} ${label}`,
        path: `${route.path}?${name}=${encodeURIComponent(bad)}`,
        field: name,
      });
    }
  }
  return out;
}

const PARAM_MUTANTS: Array<[string, string]> = [
  ["NUL", "a%00b"],
  ["invalid UTF-8 (a lone surrogate's bytes)", "a%ED%A0%80b"],
  ["over-long", "x".repeat(300)],
];

describe("generated bad input: every route refuses broken fields with a 4xx and writes nothing", () => {
  let app: TestApp;
  let routes: RouteEntry[];
  let cookie: string;
  let params: Record<string, string>;
  let digestSql: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: "5e".repeat(32) } });
    const { buildApp } = await import("../src/app.js");
    const express = buildApp({ config: app.config, logger: app.logger, pool: app.db.pool, redis: app.redis });
    routes = routesOf((express as unknown as { router: { stack: Layer[] } }).router.stack).filter((r) =>
      r.path.startsWith("/api/"),
    );
    // One caller every route lets through: a platform admin who owns the workspace the agent lives in.
    const boss = await userWithSession(app, { role: "admin" });
    cookie = boss.cookie;
    const ws = await app.db.pool.query<{ id: string }>(
      "INSERT INTO workspaces (name) VALUES ('Generated') RETURNING id",
    );
    const workspaceId = ws.rows[0]?.id as string;
    await app.db.pool.query(
      "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, 'owner')",
      [workspaceId, boss.id],
    );
    const agent = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name) VALUES ($1, 'generated agent') RETURNING id",
      [workspaceId],
    );
    // Path parameters by name. Ids other than the workspace and agent need not exist: every mutant
    // breaks something before a lookup could find them.
    params = {
      id: workspaceId,
      agentId: agent.rows[0]?.id as string,
      userId: randomUUID(),
      keyId: randomUUID(),
      invitationId: randomUUID(),
      sessionId: randomUUID(),
      providerId: randomUUID(),
      integrationId: randomUUID(),
      channelId: randomUUID(),
      name: "EXISTING_TOKEN",
      provider: "github",
      queue: "deployments",
      jobId: "probe-job",
      clusterId: randomUUID(),
    };
    const tables = await app.db.pool.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    // Every row of every table, less the columns authentication itself slides on each request.
    const row = "(to_jsonb(t) - 'last_seen_at' - 'expires_at' - 'last_used_at')::text";
    digestSql = tables.rows
      .map(
        ({ name }) =>
          `SELECT '${name}' AS t, count(*) AS n, md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) AS h FROM "${name}" t`,
      )
      .join(" UNION ALL ");
  });
  afterAll(() => app.close());

  const digest = async () => JSON.stringify((await app.db.pool.query(digestSql)).rows);

  const fill = (path: string, except?: string) =>
    path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
      if (name === except) return `:${name}`;
      const value = params[name];
      if (value === undefined) throw new Error(`no fixture for path parameter :${name} (add one above)`);
      return value;
    });

  function mutantsOf(route: RouteEntry): Mutant[] {
    const mutants: Mutant[] = [];
    for (const name of route.path.match(/:[A-Za-z]+/g) ?? []) {
      for (const [label, bad] of PARAM_MUTANTS) {
        mutants.push({
          label: `param ${name} ${label}`,
          path: fill(route.path, name.slice(1)).replace(name, bad),
          ...(route.schemas.body ? { body: bodies(route.schemas.body)[0]?.value } : {}),
        });
      }
    }
    if (route.schemas.query) mutants.push(...queryMutants(route.schemas.query, route));
    if (route.schemas.body) mutants.push(...bodyMutants(route.schemas.body, route));
    return mutants.map((m) => ({ ...m, path: m.path.includes(":") ? fill(m.path) : m.path }));
  }

  it("walks the real app and finds the schemas of the routes that take input", () => {
    expect(routes.length).toBeGreaterThan(40);
    const withInput = routes.filter((r) => r.schemas.body || r.schemas.query);
    expect(withInput.length).toBeGreaterThanOrEqual(15);
  });

  it("every route, every field", async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const mutants = mutantsOf(route);
      if (mutants.length === 0) continue;
      const before = await digest();
      for (const mutant of mutants) {
        const headers: Record<string, string> = { cookie };
        if (route.method !== "GET") headers.origin = ORIGIN;
        if (mutant.body !== undefined) headers["content-type"] = "application/json";
        const res = await fetch(app.url + mutant.path, {
          method: route.method,
          headers,
          redirect: "manual",
          ...(mutant.body !== undefined ? { body: JSON.stringify(mutant.body) } : {}),
        });
        sent++;
        const text = await res.text();
        let body: { error?: string; requestId?: string; details?: Array<{ path: string }> } = {};
        try {
          body = JSON.parse(text);
        } catch {}
        const where = `${route.method} ${route.path} ${mutant.label}`;
        if (res.status < 400 || res.status >= 500) {
          failures.push(`${where}: ${res.status} ${text.slice(0, 160)}`);
          continue;
        }
        if (!body.requestId || body.requestId !== res.headers.get("x-request-id")) {
          failures.push(`${where}: no request id in ${text.slice(0, 160)}`);
        }
        if (mutant.field !== undefined) {
          const named =
            body.error === "validation_failed" && body.details?.some((d) => d.path === mutant.field);
          if (!named) failures.push(`${where}: ${res.status} without a validation error on ${mutant.field}`);
        }
      }
      if ((await digest()) !== before) failures.push(`${route.method} ${route.path}: a table changed`);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(200);
  });
});

describe("request input goes through the primitives and validated()", () => {
  // The thin routes and the domain (whose schemas the routes use).
  const roots = [
    fileURLToPath(new URL("../src/routes/", import.meta.url)),
    fileURLToPath(new URL("../../packages/domain/src/", import.meta.url)),
  ];
  const sources = roots.flatMap((root) =>
    readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .map((f) => ({ file: f, text: readFileSync(join(root, f), "utf8") })),
  );
  // Files whose schemas read what other systems answer, never a request.
  const NOT_REQUEST_SCHEMAS = new Set([
    "auth/captcha.ts", // the captcha provider's verdict
    "auth/oauth/providers/github.ts", // GitHub's API answers
    "auth/oauth/providers/google.ts", // Google's userinfo
    "auth/oauth/state-store.ts", // the flow record Nora itself keeps in Redis
    "runtime-access/chat-history.ts", // an agent's chat history answers
    "runtime-access/chat-sse.ts", // an agent gateway's streamed chunks
  ]);

  it("no request schema uses a raw z.string(), z.number() or z.coerce", () => {
    const raw = sources
      .filter((s) => !NOT_REQUEST_SCHEMAS.has(s.file))
      .flatMap((s) =>
        s.text
          .split("\n")
          .map((line, i) => [line, i] as const)
          .filter(([line]) => /\bz\s*\.\s*(string|number|coerce)\b/.test(line))
          .map(([line, i]) => `${s.file}:${i + 1}: ${line.trim()}`),
      );
    expect(raw).toEqual([]);
  });

  it("no route reads req.body or req.query itself", () => {
    const direct = sources.filter((s) => /\breq\.(body|query)\b/.test(s.text)).map((s) => s.file);
    expect(direct).toEqual([]);
  });
});
