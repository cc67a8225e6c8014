import { isBareHost, type Requirement, ROUTES, type RouteDefinition } from "@nora/api-contract";
import { parseHost } from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { requirementOf } from "../src/http/authorize.js";
import { type RouteSchemas, schemasOf } from "../src/http/validate.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";

/**
 * The contract (`@nora/api-contract`) against the real app: the same routes with the same
 * requirements, and the request schemas the app validates with are the contract's (same JSON Schema).
 */

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle?: { stack?: Layer[] };
}

interface Mounted {
  id: string;
  requirement: Requirement | undefined;
  schemas: RouteSchemas | undefined;
}

function walk(stack: Layer[]): Mounted[] {
  const out: Mounted[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const handlers = layer.route.stack.map((l) => l.handle);
      const requirement = handlers.map(requirementOf).find(Boolean);
      const schemas = handlers.map(schemasOf).find(Boolean);
      for (const method of Object.keys(layer.route.methods)) {
        out.push({ id: `${method.toUpperCase()} ${layer.route.path}`, requirement, schemas });
      }
    } else if (layer.handle?.stack) {
      out.push(...walk(layer.handle.stack));
    }
  }
  return out;
}

/** What authorization depends on: kind, role, scope and sessionOnly (absent and false are the same). */
const requirementKey = (r: Requirement | undefined) =>
  r === undefined
    ? "none"
    : [
        r.kind,
        "role" in r ? r.role : "-",
        "scope" in r ? (r.scope ?? "-") : "-",
        "sessionOnly" in r && r.sessionOnly ? "sessionOnly" : "-",
      ].join(" ");

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

describe("the contract matches the real app", () => {
  let app: TestApp;
  let mounted: Mounted[];
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
    const { buildApp } = await import("../src/app.js");
    const express = buildApp({ config: app.config, logger: app.logger, pool: app.db.pool, redis: app.redis });
    mounted = walk((express as unknown as { router: { stack: Layer[] } }).router.stack).filter((r) =>
      r.id.split(" ")[1]?.startsWith("/api"),
    );
  });
  afterAll(() => app?.close());

  const contractId = (r: RouteDefinition) => `${r.method} ${r.path}`;

  it("has the same routes", () => {
    expect(mounted.length).toBeGreaterThan(60);
    expect(mounted.map((r) => r.id).sort()).toEqual(ROUTES.map(contractId).sort());
  });

  it("declares the same requirement for every route (kind, role, scope, sessionOnly)", () => {
    const inApp = Object.fromEntries(mounted.map((r) => [r.id, requirementKey(r.requirement)]));
    const inContract = Object.fromEntries(ROUTES.map((r) => [contractId(r), requirementKey(r.requirement)]));
    expect(inContract).toEqual(inApp);
  });

  it("validates with the contract's request schemas wherever the app validates", () => {
    const byId = new Map(ROUTES.map((r) => [contractId(r), r]));
    let compared = 0;
    for (const route of mounted) {
      const contract = byId.get(route.id);
      for (const part of ["params", "query", "body"] as const) {
        const own = route.schemas?.[part];
        if (!own) continue;
        const theirs = contract?.[part];
        expect(theirs, `${route.id} ${part}`).toBeDefined();
        if (!theirs) continue;
        expect(jsonSchema(theirs), `${route.id} ${part}`).toEqual(jsonSchema(own));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(25);
  });

  it("notices a requirement that differs", () => {
    const changed = ROUTES.map((r) =>
      contractId(r) === "GET /api/workspaces/:id/members"
        ? { ...r, requirement: { kind: "workspace", role: "editor", scope: "workspaces:read" } as const }
        : r,
    );
    const inApp = mounted.map((r) => `${r.id} ${requirementKey(r.requirement)}`).sort();
    expect(changed.map((r) => `${contractId(r)} ${requirementKey(r.requirement)}`).sort()).not.toEqual(inApp);
  });
});

describe("the contract's browser-safe host check", () => {
  it("agrees with the server's outbound host parser", () => {
    const spellings = [
      "smtp.example.org",
      "localhost",
      "LOCALHOST.",
      "127.0.0.1",
      "2130706433",
      "0x7f000001",
      "0177.0.0.1",
      "127.1",
      "0",
      "127。0。0。1",
      "::1",
      "[::1]",
      "::ffff:7f00:1",
      "[::ffff:127.0.0.1]",
      "fe80::1%eth0",
      "host:25",
      "[::1]:25",
      "a/b",
      "user@host",
      "[::1",
      "::1]",
      "host name",
      "exa mple",
      "",
      "  padded.example.org  ",
      "xn--nxasmq6b.example",
      "bücher.example",
      "1.2.3.4.5",
      "256.0.0.1",
      "[1.2.3.4]",
    ];
    const server = (h: string) => {
      try {
        parseHost(h);
        return true;
      } catch {
        return false;
      }
    };
    expect(Object.fromEntries(spellings.map((h) => [h, isBareHost(h)]))).toEqual(
      Object.fromEntries(spellings.map((h) => [h, server(h)])),
    );
  });
});
