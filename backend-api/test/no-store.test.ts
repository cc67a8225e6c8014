import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, userWithSession } from "./identity.js";
import { inventory, type Layer } from "./route-table.js";

const SOME_ID = "00000000-0000-4000-8000-000000000000";

/**
 * API answers are live state (and often carry a one-time value: a new key, an accept link), so no
 * browser or proxy may keep one. `Cache-Control: no-store` is set in one place for every response;
 * this walks the whole route table, so a route added later is covered without being listed here.
 */
describe("every API response says Cache-Control: no-store", () => {
  let app: TestApp;
  let routes: ReturnType<typeof inventory>;
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
    const { buildApp } = await import("../src/app.js");
    const express = buildApp({ config: app.config, logger: app.logger, pool: app.db.pool, redis: app.redis });
    routes = inventory((express as unknown as { router: { stack: Layer[] } }).router.stack).filter((r) =>
      r.path.startsWith("/api"),
    );
  });
  afterAll(() => app.close());

  it("on every route of the inventory, answered anonymously (mostly errors)", async () => {
    expect(routes.length).toBeGreaterThan(20);
    const missing: string[] = [];
    const statuses = new Set<number>();
    for (const route of routes) {
      const path = route.path.replace(/:[A-Za-z]+/g, SOME_ID);
      const body = route.method === "GET" || route.method === "DELETE" ? undefined : {};
      const res = await call(app, {}, route.method, path, body);
      statuses.add(res.status);
      if (res.headers.get("cache-control") !== "no-store") {
        missing.push(`${route.method} ${route.path} (${res.status}): ${res.headers.get("cache-control")}`);
      }
    }
    expect(missing).toEqual([]);
    // The walk saw successes and refusals alike.
    expect([...statuses].some((s) => s < 300)).toBe(true);
    expect([...statuses].some((s) => s === 401)).toBe(true);
    expect([...statuses].some((s) => s === 400)).toBe(true);
  });

  it("on every route of the inventory, answered to a signed-in user", async () => {
    const { cookie } = await userWithSession(app);
    const missing: string[] = [];
    for (const route of routes.filter((r) => r.method === "GET")) {
      const res = await call(app, { cookie }, route.method, route.path.replace(/:[A-Za-z]+/g, SOME_ID));
      if (res.headers.get("cache-control") !== "no-store") {
        missing.push(`${route.method} ${route.path} (${res.status}): ${res.headers.get("cache-control")}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("on unknown paths and on a malformed body", async () => {
    const answers = await Promise.all([
      call(app, {}, "GET", "/api/no-such-route"),
      call(app, {}, "GET", "/not-the-api"),
      fetch(`${app.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([404, 404, 400]);
    for (const a of answers) expect(a.headers.get("cache-control")).toBe("no-store");
  });
});
