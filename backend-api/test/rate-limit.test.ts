import { createTestDatabase, DisposableRedis, type TestDatabase, testConfig } from "@nora/core/testing";
import { Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBE_ROUTES } from "../src/http/rate-limit.js";
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

  it("never counts or refuses the probes, however often a monitor polls, while every other route keeps its layers", async () => {
    const app = await startTestApp({
      db,
      env: { RATE_LIMIT_GLOBAL_BURST: "3", RATE_LIMIT_GLOBAL_PER_MINUTE: "1" },
    });
    try {
      // Adding a probe is a security decision (it is never limited): say why in the review.
      expect(PROBE_ROUTES).toEqual([
        { method: "GET", path: "/api/health" },
        { method: "GET", path: "/api/ready" },
      ]);
      const probes: number[] = [];
      for (let i = 0; i < 40; i++) {
        for (const { path } of PROBE_ROUTES)
          for (const method of ["GET", "HEAD"]) {
            const res = await fetch(app.url + path, { method });
            expect(res.headers.get("ratelimit-remaining")).toBeNull();
            probes.push(res.status);
          }
      }
      expect(new Set(probes)).toEqual(new Set([200]));
      // 160 probes took nothing from the bucket: the burst of 3 is whole for anything else.
      const others: number[] = [];
      for (let i = 0; i < 4; i++) others.push((await fetch(`${app.url}/api/nope`)).status);
      expect(others).toEqual([404, 404, 404, 429]);
      // Only what is declared a probe is exempt: another method on the same path is counted.
      const post = await fetch(`${app.url}/api/health`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(post.status).toBe(429);
      expect((await fetch(`${app.url}/api/health/`)).status).toBe(429);
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("describes the bucket in the standard RateLimit headers and Retry-After", async () => {
    const app = await startTestApp({
      db,
      routes: [authProbe],
      env: { RATE_LIMIT_AUTH_BURST: "5", RATE_LIMIT_AUTH_PER_MINUTE: "30" },
    });
    try {
      const first = await post(app);
      expect(first.headers.get("ratelimit-limit")).toBe("5");
      expect(first.headers.get("ratelimit-remaining")).toBe("4");
      // A burst of 5 refilled at 30/min is a quota of 5 per 10 s; one token is back within 2 s.
      expect(first.headers.get("ratelimit-policy")).toBe("5;w=10");
      expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);
      expect(Number(first.headers.get("ratelimit-reset"))).toBeLessThanOrEqual(2);
      for (let i = 0; i < 4; i++) await post(app);
      const limited = await post(app);
      expect(limited.status).toBe(429);
      expect(limited.headers.get("ratelimit-remaining")).toBe("0");
      expect(["1", "2"]).toContain(limited.headers.get("retry-after"));
      expect(limited.headers.get("content-type")).toContain("application/json");
      // express-rate-limit checks its configuration on first use and would log what it found wrong.
      expect(app.logs.entries().filter((e) => Number(e.level) >= 40)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("fails closed on the auth layer and open on the others when Redis is gone", async () => {
    const redis = await DisposableRedis.start();
    const app = await startTestApp({
      db,
      routes: [authProbe, Router().post("/api/test/write", (_req, res) => res.json({ ok: true }))],
      env: { REDIS_URL: redis.url },
    });
    try {
      expect((await post(app)).status).toBe(200);
      await redis.stop();
      const refused = await post(app);
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: string; requestId: string };
      expect(body).toMatchObject({ error: "rate_limiter_unavailable" });
      expect(body.requestId).toBe(refused.headers.get("x-request-id"));
      expect((await post(app, "/api/test/write")).status).toBe(200);
      expect((await fetch(`${app.url}/api/nope`)).status).toBe(404);
      const warnings = app.logs.entries().filter((e) => e.msg === "rate limiter unavailable");
      expect(warnings.length).toBe(1); // at most one line every 10 s, however many requests fail
    } finally {
      await app.close();
      await redis.stop();
    }
  });
});
