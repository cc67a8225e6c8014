import { createTestDatabase, type TestDatabase, testConfig } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createApiKey, createWorkspace, login, userWithSession } from "./identity.js";

/** Two API replicas on one database, each with its authentication cache and change listener. */
describe("authentication cache keeps revocation immediate", () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Replicas share their configuration (JWT and HMAC secrets), as in a real deployment.
    const config = testConfig({
      ...NO_RATE_LIMITS,
      DATABASE_URL: db.url,
      LOG_LEVEL: "info",
      JWT_SECRET: "replicas-share-this-secret-0123456789",
    });
    a = await startTestApp({ db, config });
    b = await startTestApp({ db, config });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  it("a logout on one replica is refused at once by the other, whose cache was warm", async () => {
    for (let i = 0; i < 10; i++) {
      const user = await userWithSession(a);
      expect((await call(b, { cookie: user.cookie }, "GET", "/api/auth/me")).status).toBe(200);
      expect((await call(b, { cookie: user.cookie }, "GET", "/api/auth/me")).status).toBe(200);
      expect((await call(a, { cookie: user.cookie }, "POST", "/api/auth/logout")).status).toBe(204);
      expect((await call(b, { cookie: user.cookie }, "GET", "/api/auth/me")).status).toBe(401);
    }
  });

  it("a key revoked on one replica stops on both", async () => {
    const owner = await userWithSession(a);
    const workspaceId = await createWorkspace(a, owner.cookie);
    for (let i = 0; i < 5; i++) {
      const k = await createApiKey(a, owner.cookie, workspaceId, ["workspaces:read"]);
      for (const replica of [a, b]) {
        expect((await call(replica, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(
          200,
        );
      }
      await call(a, { cookie: owner.cookie }, "DELETE", `/api/workspaces/${workspaceId}/api-keys/${k.id}`);
      expect((await call(a, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(401);
      expect((await call(b, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(401);
    }
  });

  it("a role change on one replica applies to the next request on the other", async () => {
    const owner = await userWithSession(a);
    const workspaceId = await createWorkspace(a, owner.cookie);
    const member = await userWithSession(a);
    await db.pool.query(
      "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, 'admin')",
      [workspaceId, member.id],
    );
    expect(
      (await call(b, { cookie: member.cookie }, "GET", `/api/workspaces/${workspaceId}/api-keys`)).status,
    ).toBe(200);
    await call(a, { cookie: owner.cookie }, "PATCH", `/api/workspaces/${workspaceId}/members/${member.id}`, {
      role: "viewer",
    });
    expect(
      (await call(b, { cookie: member.cookie }, "GET", `/api/workspaces/${workspaceId}/api-keys`)).status,
    ).toBe(403);
    await call(a, { cookie: owner.cookie }, "DELETE", `/api/workspaces/${workspaceId}/members/${member.id}`);
    expect((await call(b, { cookie: member.cookie }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(
      404,
    );
  });

  it("a workspace renamed on one replica reads renamed at once on the other, and after a change in SQL", async () => {
    const owner = await userWithSession(a);
    const workspaceId = await createWorkspace(a, owner.cookie, "Before");
    const name = async () =>
      (
        (await call(b, { cookie: owner.cookie }, "GET", `/api/workspaces/${workspaceId}`)).body.workspace as {
          name: string;
        }
      ).name;
    expect(await name()).toBe("Before");
    await call(a, { cookie: owner.cookie }, "PATCH", `/api/workspaces/${workspaceId}`, { name: "After" });
    expect(await name()).toBe("After");
    await db.pool.query("UPDATE workspaces SET name = 'By hand' WHERE id = $1", [workspaceId]);
    await expect.poll(name, { timeout: 1_000, interval: 20 }).toBe("By hand");
  });

  it("even a change made by hand in SQL reaches every replica's cache", async () => {
    const user = await userWithSession(a);
    expect((await call(b, { cookie: user.cookie }, "GET", "/api/auth/me")).status).toBe(200);
    await db.pool.query("UPDATE users SET disabled_at = now() WHERE id = $1", [user.id]);
    // Delivered by NOTIFY at commit: allow the few milliseconds the notification takes to arrive.
    await expect
      .poll(async () => (await call(b, { cookie: user.cookie }, "GET", "/api/auth/me")).status, {
        timeout: 1_000,
        interval: 20,
      })
      .toBe(401);
  });

  it("serves repeated requests from the cache, and from the database when the listener is down", async () => {
    const user = await userWithSession(a);
    // Count the session lookups this pool runs (instrumentation only: every query still reaches PostgreSQL).
    let lookups = 0;
    const query = db.pool.query.bind(db.pool);
    db.pool.query = ((...args: Parameters<typeof db.pool.query>) => {
      if (typeof args[0] === "string" && args[0].includes("FROM sessions s JOIN users u")) lookups++;
      return query(...args);
    }) as typeof db.pool.query;
    try {
      for (let i = 0; i < 20; i++)
        expect((await call(a, { cookie: user.cookie }, "GET", "/api/auth/me")).status).toBe(200);
      expect(lookups).toBeLessThanOrEqual(1);
      a.authCache.setListening(false);
      lookups = 0;
      for (let i = 0; i < 5; i++) await call(a, { cookie: user.cookie }, "GET", "/api/auth/me");
      expect(lookups).toBe(5);
    } finally {
      db.pool.query = query;
      a.authCache.setListening(true);
    }
  });

  it("a fresh login works on a replica that cached nothing for it", async () => {
    const user = await userWithSession(a);
    const second = await login(a, user.email);
    expect((await call(b, { cookie: second }, "GET", "/api/auth/me")).status).toBe(200);
  });
});
