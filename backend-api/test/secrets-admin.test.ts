import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { keyIdOf } from "@nora/core";
import { spawnService, testServiceUrls } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, userWithSession } from "./identity.js";

const KEY = randomBytes(32).toString("hex");
const OLD = randomBytes(32).toString("hex");

describe("secrets administration", () => {
  let app: TestApp;
  let admin: { cookie: string };
  beforeAll(async () => {
    app = await startTestApp({
      env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: KEY, ENCRYPTION_KEYS_PREVIOUS: OLD },
    });
    admin = await userWithSession(app, { role: "admin" });
  });
  afterAll(() => app.close());

  it("reports the current and configured key ids, never key material", async () => {
    const res = await call(app, { cookie: admin.cookie }, "GET", "/api/admin/secrets/keys");
    expect(res.status).toBe(200);
    expect(res.body.currentKeyId).toBe(keyIdOf(Buffer.from(KEY, "hex")));
    expect(res.body.configuredKeyIds).toEqual([
      keyIdOf(Buffer.from(OLD, "hex")),
      keyIdOf(Buffer.from(KEY, "hex")),
    ]);
    expect(res.text).not.toContain(KEY);
    expect(res.text).not.toContain(OLD);
  });

  it("runs one rotation at a time and reports its progress", async () => {
    const started = await call(app, { cookie: admin.cookie }, "POST", "/api/admin/secrets/rotation");
    expect(started.status).toBe(202);
    const runId = (started.body.rotation as { runId: string }).runId;
    await expect
      .poll(async () => {
        const status = await call(app, { cookie: admin.cookie }, "GET", "/api/admin/secrets/rotation");
        return (status.body.rotation as { state: string; runId: string }).state;
      })
      .toBe("finished");
    // While another replica holds the lock, a second start is refused with the running status.
    await app.redis.set(`${app.config.redis.keyPrefix}:secrets:rotation:lock`, "other-run", "PX", 5_000);
    const refused = await call(app, { cookie: admin.cookie }, "POST", "/api/admin/secrets/rotation");
    expect(refused.status).toBe(409);
    expect((refused.body.rotation as { runId: string }).runId).toBe(runId);
    const audit = await app.db.pool.query(
      "SELECT action FROM audit_log WHERE action LIKE 'platform.secrets.%' ORDER BY id",
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      "platform.secrets.rotation_started",
      "platform.secrets.rotation_finished",
    ]);
  });

  it("says so when there is no key to rotate to", async () => {
    const keyless = await startTestApp({ env: NO_RATE_LIMITS });
    try {
      const a = await userWithSession(keyless, { role: "admin" });
      const res = await call(keyless, { cookie: a.cookie }, "POST", "/api/admin/secrets/rotation");
      expect(res.status).toBe(409);
      expect(res.body.error).toBe("no_encryption_key");
    } finally {
      await keyless.close();
    }
  });

  it("has a command-line check that prints key ids and counts only", async () => {
    const cli = spawnService(
      fileURLToPath(new URL("../../packages/core/dist/crypto/rotate-cli.js", import.meta.url)),
      {
        DATABASE_URL: app.db.url,
        REDIS_URL: testServiceUrls().redisUrl,
        ENCRYPTION_KEY: KEY,
      },
      ["--check"],
    );
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain(`current key: ${keyIdOf(Buffer.from(KEY, "hex"))}`);
    expect(cli.stdout()).not.toContain(KEY);
  });
});
