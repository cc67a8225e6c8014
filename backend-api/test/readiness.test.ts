import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_DIR } from "@nora/core";
import { createTestDatabase, DisposableRedis, type TestDatabase } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp } from "./helpers.js";

async function ready(url: string) {
  const res = await fetch(`${url}/api/ready`);
  return {
    status: res.status,
    body: (await res.json()) as { status: string; checks: Record<string, string> },
  };
}

describe("readiness", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it("is ready when PostgreSQL, Redis and migrations are", async () => {
    const app = await startTestApp({ db, env: NO_RATE_LIMITS });
    try {
      expect(await ready(app.url)).toEqual({
        status: 200,
        body: { status: "ready", checks: { postgres: "ok", redis: "ok", migrations: "ok" } },
      });
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("flips to 503 naming Redis while a real Redis is stopped, and back when it returns", async () => {
    const redis = await DisposableRedis.start();
    // Rate limits on, against the Redis that goes away: general traffic must fail open.
    const app = await startTestApp({ db, env: { REDIS_URL: redis.url } });
    try {
      expect((await ready(app.url)).status).toBe(200);
      await redis.stop();
      const down = await ready(app.url);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe("not_ready");
      expect(down.body.checks).toEqual({ postgres: "ok", redis: "failed", migrations: "ok" });
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200);

      await redis.start();
      await expect
        .poll(async () => (await ready(app.url)).status, { timeout: 15_000, interval: 200 })
        .toBe(200);
    } finally {
      await app.close();
      await redis.stop();
    }
  });

  it("reports pending migrations", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nora-pending-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, "9999_not_yet.sql"), "SELECT 1;");
    const app = await startTestApp({ db, env: NO_RATE_LIMITS, migrationsDir: dir });
    try {
      const result = await ready(app.url);
      expect(result.status).toBe(503);
      expect(result.body.checks.migrations).toBe("failed");
    } finally {
      await app.close();
    }
  });

  it("reports PostgreSQL when the database is unreachable", async () => {
    const gone = await createTestDatabase();
    const app = await startTestApp({ db: gone, env: NO_RATE_LIMITS });
    try {
      await gone.drop();
      const result = await ready(app.url);
      expect(result.status).toBe(503);
      expect(result.body.checks.postgres).toBe("failed");
    } finally {
      await app.close();
    }
  });
});
