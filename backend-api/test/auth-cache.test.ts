import { createTestDatabase, type TestDatabase, testConfig } from "@nora/core/testing";
import { generateApiKey, hashApiKey } from "@nora/domain/api-keys/key-format";
import { signSessionToken } from "@nora/domain/auth/session-token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName } from "../src/http/session-cookie.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createApiKey, createWorkspace, login, userWithSession } from "./identity.js";

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The class behind "cached keys outlive their expiry": a cache hit must refuse exactly what a miss refuses.
 * Each row warms replica b's cache, takes access away (by the clock, through the API on replica a, or by
 * hand in SQL), and expects b's very next answer to be the refusal a cold lookup would give.
 */
describe("every validity condition holds on a cache hit exactly as on a miss", () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let platformAdmin: { cookie: string };
  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig({
      ...NO_RATE_LIMITS,
      DATABASE_URL: db.url,
      LOG_LEVEL: "info",
      JWT_SECRET: "replicas-share-this-secret-0123456789",
    });
    a = await startTestApp({ db, config });
    b = await startTestApp({ db, config });
    platformAdmin = await userWithSession(a, { role: "admin" });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  /** A workspace whose admin (the creator) holds a key; the key is inserted in SQL so no trigger fires. */
  async function fixture(keyLifetimeMs?: number) {
    const owner = await userWithSession(a);
    const workspaceId = await createWorkspace(a, owner.cookie);
    const creator = await userWithSession(a);
    await addMember(a, workspaceId, creator.id, "admin");
    const key = generateApiKey();
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO api_keys (workspace_id, created_by, description, prefix, key_hash, scopes, expires_at)
       VALUES ($1, $2, 'cache row', $3, $4, $5, $6) RETURNING id`,
      [
        workspaceId,
        creator.id,
        key.slice(0, 11),
        hashApiKey(key, a.config.identity.apiKeyHashKey),
        ["workspaces:read", "integrations:write"],
        keyLifetimeMs ? new Date(Date.now() + keyLifetimeMs) : null,
      ],
    );
    return { owner, workspaceId, creator, key, keyId: rows[0]?.id as string };
  }
  type Fixture = Awaited<ReturnType<typeof fixture>>;

  /** A session inserted in SQL (no trigger fires) with the given idle and absolute lifetimes. */
  async function sessionFor(userId: string, idleMs: number, absoluteMs: number) {
    const expiresAt = new Date(Date.now() + idleMs);
    const absoluteExpiresAt = new Date(Date.now() + absoluteMs);
    const { rows } = await db.pool.query<{ id: string }>(
      "INSERT INTO sessions (user_id, expires_at, absolute_expires_at) VALUES ($1, $2, $3) RETURNING id",
      [userId, expiresAt, absoluteExpiresAt],
    );
    const token = signSessionToken(
      a.config,
      { sid: rows[0]?.id as string, sub: userId },
      new Date(Date.now() + 86_400_000),
    );
    return `${sessionCookieName(a.config)}=${token}`;
  }

  interface KeyCase {
    condition: string;
    lifetimeMs?: number;
    takeAway(f: Fixture): Promise<unknown>;
    /** A route the key may use before the change; GET /api/workspaces/:id by default. */
    probe?: { method: string; path: (f: Fixture) => string; allowed: number };
    refused: number;
  }
  const keyCases: KeyCase[] = [
    { condition: "expires while cached", lifetimeMs: 1_200, takeAway: () => sleep(1_300), refused: 401 },
    {
      condition: "is revoked through the API on another replica",
      takeAway: (f) =>
        call(a, { cookie: f.owner.cookie }, "DELETE", `/api/workspaces/${f.workspaceId}/api-keys/${f.keyId}`),
      refused: 401,
    },
    {
      condition: "is revoked in SQL",
      takeAway: (f) => db.pool.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [f.keyId]),
      refused: 401,
    },
    {
      condition: "is expired in SQL",
      takeAway: (f) =>
        db.pool.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [
          f.keyId,
        ]),
      refused: 401,
    },
    {
      condition: "loses its creator to a platform admin's disable",
      takeAway: (f) =>
        call(a, platformAdmin, "PATCH", `/api/admin/users/${f.creator.id}`, { disabled: true }),
      refused: 401,
    },
    {
      condition: "loses its creator to a disable in SQL",
      takeAway: (f) => db.pool.query("UPDATE users SET disabled_at = now() WHERE id = $1", [f.creator.id]),
      refused: 401,
    },
    {
      condition: "loses its creator's membership through the API",
      takeAway: (f) =>
        call(
          a,
          { cookie: f.owner.cookie },
          "DELETE",
          `/api/workspaces/${f.workspaceId}/members/${f.creator.id}`,
        ),
      refused: 401,
    },
    {
      condition: "loses its creator's membership in SQL",
      takeAway: (f) =>
        db.pool.query("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2", [
          f.workspaceId,
          f.creator.id,
        ]),
      refused: 401,
    },
    {
      condition: "has its creator demoted below the route's role",
      takeAway: (f) =>
        call(
          a,
          { cookie: f.owner.cookie },
          "PATCH",
          `/api/workspaces/${f.workspaceId}/members/${f.creator.id}`,
          {
            role: "viewer",
          },
        ),
      // An editor reaches validation (400 for an empty body); a viewer is refused before it.
      probe: { method: "POST", path: (f) => `/api/workspaces/${f.workspaceId}/integrations`, allowed: 400 },
      refused: 403,
    },
  ];

  it.each(keyCases)("an API key that $condition is refused on the next hit", async (c) => {
    const f = await fixture(c.lifetimeMs);
    const method = c.probe?.method ?? "GET";
    const path = c.probe ? c.probe.path(f) : `/api/workspaces/${f.workspaceId}`;
    const body = method === "GET" ? undefined : {};
    for (let i = 0; i < 2; i++)
      expect((await call(b, { apiKey: f.key }, method, path, body)).status).toBe(c.probe?.allowed ?? 200);
    await c.takeAway(f);
    await expect
      .poll(async () => (await call(b, { apiKey: f.key }, method, path, body)).status, {
        timeout: 1_000,
        interval: 20,
      })
      .toBe(c.refused);
    // Never served again from a stale entry, however often it is asked.
    for (let i = 0; i < 3; i++)
      expect((await call(b, { apiKey: f.key }, method, path, body)).status).toBe(c.refused);
  });

  interface SessionCase {
    condition: string;
    idleMs?: number;
    absoluteMs?: number;
    takeAway(f: Fixture, sessionId: string): Promise<unknown>;
    /** `me` for /api/auth/me (401 when refused), `workspace` for the workspace (404 when refused). */
    probe: "me" | "workspace";
  }
  const sessionCases: SessionCase[] = [
    { condition: "reaches its idle expiry", idleMs: 1_200, takeAway: () => sleep(1_300), probe: "me" },
    {
      condition: "reaches its absolute expiry",
      absoluteMs: 1_200,
      takeAway: () => sleep(1_300),
      probe: "me",
    },
    {
      condition: "is revoked in SQL",
      takeAway: (_f, sid) => db.pool.query("UPDATE sessions SET revoked_at = now() WHERE id = $1", [sid]),
      probe: "me",
    },
    {
      condition: "belongs to a user a platform admin disables",
      takeAway: (f) =>
        call(a, platformAdmin, "PATCH", `/api/admin/users/${f.creator.id}`, { disabled: true }),
      probe: "me",
    },
    {
      condition: "belongs to a member removed through the API",
      takeAway: (f) =>
        call(
          a,
          { cookie: f.owner.cookie },
          "DELETE",
          `/api/workspaces/${f.workspaceId}/members/${f.creator.id}`,
        ),
      probe: "workspace",
    },
    {
      condition: "belongs to a member removed in SQL",
      takeAway: (f) =>
        db.pool.query("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2", [
          f.workspaceId,
          f.creator.id,
        ]),
      probe: "workspace",
    },
  ];

  it.each(sessionCases)("a session that $condition is refused on the next hit", async (c) => {
    const f = await fixture();
    const cookie = await sessionFor(f.creator.id, c.idleMs ?? 3_600_000, c.absoluteMs ?? 86_400_000);
    const { rows } = await db.pool.query<{ id: string }>(
      "SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1",
      [f.creator.id],
    );
    const path = c.probe === "me" ? "/api/auth/me" : `/api/workspaces/${f.workspaceId}`;
    const refused = c.probe === "me" ? 401 : 404;
    for (let i = 0; i < 2; i++) expect((await call(b, { cookie }, "GET", path)).status).toBe(200);
    await c.takeAway(f, rows[0]?.id as string);
    await expect
      .poll(async () => (await call(b, { cookie }, "GET", path)).status, { timeout: 1_000, interval: 20 })
      .toBe(refused);
    for (let i = 0; i < 3; i++) expect((await call(b, { cookie }, "GET", path)).status).toBe(refused);
  });

  it("a session slid forward by use outlives the idle expiry its cached copy still shows", async () => {
    const f = await fixture();
    const cookie = await sessionFor(f.creator.id, 1_200, 86_400_000);
    // Last seen long ago, so the next use slides the idle expiry forward in the database (no NOTIFY: an
    // extension takes no access away) while b's cached copy keeps the old one.
    await db.pool.query(
      "UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE user_id = $1",
      [f.creator.id],
    );
    expect((await call(b, { cookie }, "GET", "/api/auth/me")).status).toBe(200);
    await expect
      .poll(
        async () =>
          (
            await db.pool.query<{ slid: boolean }>(
              "SELECT expires_at > now() + interval '1 minute' AS slid FROM sessions WHERE user_id = $1",
              [f.creator.id],
            )
          ).rows[0]?.slid,
      )
      .toBe(true);
    await sleep(1_300);
    expect((await call(b, { cookie }, "GET", "/api/auth/me")).status).toBe(200);
  });

  /**
   * The change lands while b's database read is in flight: the read saw the old row, the cache was emptied
   * (by NOTIFY) before the read returned. The old row must not be stored, or it would be served for 30 s.
   */
  interface RaceCase {
    condition: string;
    /** Text of the lookup query during which the change lands. */
    during: string;
    caller(f: Fixture, cookie: string): { apiKey?: string; cookie?: string };
    path(f: Fixture): string;
    takeAway(f: Fixture, cookie: string): Promise<unknown>;
    refused: number;
  }
  const raceCases: RaceCase[] = [
    {
      condition: "a key revoked while it is being looked up",
      during: "FROM api_keys k",
      caller: (f) => ({ apiKey: f.key }),
      path: (f) => `/api/workspaces/${f.workspaceId}`,
      takeAway: (f) => db.pool.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [f.keyId]),
      refused: 401,
    },
    {
      condition: "a session revoked while it is being looked up",
      during: "FROM sessions s JOIN users u",
      caller: (_f, cookie) => ({ cookie }),
      path: () => "/api/auth/me",
      takeAway: (f) =>
        db.pool.query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1", [f.creator.id]),
      refused: 401,
    },
    {
      condition: "a membership removed while the role is being looked up",
      during: "SELECT role FROM workspace_members",
      caller: (_f, cookie) => ({ cookie }),
      path: (f) => `/api/workspaces/${f.workspaceId}`,
      takeAway: (f) =>
        db.pool.query("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2", [
          f.workspaceId,
          f.creator.id,
        ]),
      refused: 404,
    },
  ];

  it.each(raceCases)("$condition is not cached as valid", async (c) => {
    const f = await fixture();
    const cookie = await sessionFor(f.creator.id, 3_600_000, 86_400_000);
    const caller = c.caller(f, cookie);
    const query = db.pool.query.bind(db.pool);
    let armed = true;
    // Instrumentation only: every query still runs on PostgreSQL; the change is made between the lookup's
    // answer and its use, and the test waits for b's listener to receive the change's NOTIFY.
    db.pool.query = (async (...args: Parameters<typeof db.pool.query>) => {
      const result = await query(...args);
      if (armed && typeof args[0] === "string" && args[0].includes(c.during)) {
        armed = false;
        await c.takeAway(f, cookie);
        await sleep(150);
      }
      return result;
    }) as typeof db.pool.query;
    try {
      await call(b, caller, "GET", c.path(f));
    } finally {
      db.pool.query = query;
    }
    expect(armed).toBe(false);
    expect((await call(b, caller, "GET", c.path(f))).status).toBe(c.refused);
  });
});
