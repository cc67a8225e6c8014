import { createTestDatabase, type TestDatabase, testConfig } from "@nora/core/testing";
import { Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./helpers.js";

// /api/auth/* routes arrive with the identity issue; a probe route stands in so the layer can be exercised.
const authProbe = Router().post("/api/auth/probe", (_req, res) => {
  res.json({ ok: true });
});

async function post(app: TestApp, path = "/api/auth/probe") {
  return fetch(app.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
}

describe("layered rate limiting on Redis", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it("answers 429 after the auth burst and recovers as tokens refill", async () => {
    // 30/min (the default) refills one token every 2 s.
    const app = await startTestApp({
      db,
      routes: [authProbe],
      env: { RATE_LIMIT_AUTH_BURST: "5", RATE_LIMIT_AUTH_PER_MINUTE: "30" },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await post(app)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const limited = await post(app);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = (await limited.json()) as { error: string; requestId: string };
      expect(body.error).toBe("rate_limited");
      expect(body.requestId).toBe(limited.headers.get("x-request-id"));
      await new Promise((r) => setTimeout(r, 2_100));
      expect((await post(app)).status).toBe(200);
      expect((await post(app)).status).toBe(429);
    } finally {
      await app.close();
    }
  });

  it("uses the documented default of 30/min with a burst of 5 on /api/auth", () => {
    const config = testConfig();
    expect(config.rateLimit.auth).toEqual({ perMinute: 30, burst: 5 });
  });

  it("shares counts between two app instances on the same Redis", async () => {
    const config = testConfig({
      DATABASE_URL: db.url,
      RATE_LIMIT_AUTH_BURST: "4",
      RATE_LIMIT_AUTH_PER_MINUTE: "1",
    });
    const a = await startTestApp({ db, config, routes: [authProbe] });
    const b = await startTestApp({ db, config, routes: [authProbe] });
    try {
      const statuses = [
        (await post(a)).status,
        (await post(b)).status,
        (await post(a)).status,
        (await post(b)).status,
        (await post(a)).status,
        (await post(b)).status,
      ];
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("limits mutating requests more strictly than reads", async () => {
    const app = await startTestApp({
      db,
      routes: [Router().post("/api/test/write", (_req, res) => res.json({ ok: true }))],
      env: {
        RATE_LIMIT_MUTATING_BURST: "2",
        RATE_LIMIT_MUTATING_PER_MINUTE: "1",
        RATE_LIMIT_GLOBAL_BURST: "100",
      },
    });
    try {
      const writes = [];
      for (let i = 0; i < 3; i++) writes.push((await post(app, "/api/test/write")).status);
      expect(writes).toEqual([200, 200, 429]);
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("counts per client address behind one trusted proxy hop", async () => {
    const app = await startTestApp({
      db,
      routes: [authProbe],
      env: { RATE_LIMIT_AUTH_BURST: "1", RATE_LIMIT_AUTH_PER_MINUTE: "1" },
    });
    const from = (ip: string) =>
      fetch(`${app.url}/api/auth/probe`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
        body: "{}",
      });
    try {
      expect((await from("203.0.113.1")).status).toBe(200);
      expect((await from("203.0.113.1")).status).toBe(429);
      expect((await from("203.0.113.2")).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
