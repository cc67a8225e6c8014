import { API_KEY_SCOPES } from "@nora/domain/api-keys/scopes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";

describe("API keys", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
  });
  afterAll(() => app.close());

  async function setup() {
    const owner = await userWithSession(app);
    const workspaceId = await createWorkspace(app, owner.cookie);
    return { owner, workspaceId };
  }

  it("is shown once, works as a bearer token, and is stored only as an HMAC", async () => {
    const { owner, workspaceId } = await setup();
    const created = await call(
      app,
      { cookie: owner.cookie },
      "POST",
      `/api/workspaces/${workspaceId}/api-keys`,
      {
        description: "deploy bot",
        scopes: ["workspaces:read", "agents:read"],
      },
    );
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^nora_[0-9A-Za-z]{43}$/);
    expect(created.body.apiKey).toMatchObject({
      prefix: key.slice(0, 11),
      scopes: ["workspaces:read", "agents:read"],
    });

    const viaKey = await call(app, { apiKey: key }, "GET", `/api/workspaces/${workspaceId}`);
    expect(viaKey.status).toBe(200);

    const list = await call(app, { cookie: owner.cookie }, "GET", `/api/workspaces/${workspaceId}/api-keys`);
    expect(list.text).not.toContain(key);
    expect(list.text).not.toContain(key.slice(11));

    // Scan every column of the table for the plaintext: only the display prefix may appear.
    const { rows } = await app.db.pool.query("SELECT * FROM api_keys");
    const dump = JSON.stringify(rows, (_k, v) =>
      v?.type === "Buffer" ? Buffer.from(v.data).toString("latin1") : v,
    );
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(key.slice(11));
    const audit = await app.db.pool.query("SELECT metadata::text FROM audit_log");
    expect(JSON.stringify(audit.rows)).not.toContain(key.slice(11));
  });

  it("prefers the key over a cookie when a request carries both", async () => {
    const { owner, workspaceId } = await setup();
    const { key } = await createApiKey(app, owner.cookie, workspaceId, ["workspaces:read"]);
    const res = await fetch(`${app.url}/api/auth/me`, {
      headers: { cookie: owner.cookie, authorization: `Bearer ${key}` },
    });
    expect(((await res.json()) as { via: string }).via).toBe("api_key");
    const bad = await fetch(`${app.url}/api/auth/me`, {
      headers: {
        cookie: owner.cookie,
        authorization: "Bearer nora_invalidinvalidinvalidinvalidinvalidinvalid1",
      },
    });
    expect(bad.status).toBe(401);
  });

  it("rotation issues a new key and kills the old one at once", async () => {
    const { owner, workspaceId } = await setup();
    const old = await createApiKey(app, owner.cookie, workspaceId, ["workspaces:read"]);
    const rotated = await call(
      app,
      { cookie: owner.cookie },
      "POST",
      `/api/workspaces/${workspaceId}/api-keys/${old.id}/rotate`,
    );
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.key as string;
    expect(fresh).not.toBe(old.key);
    expect((rotated.body.apiKey as { rotatedFrom: string }).rotatedFrom).toBe(old.id);
    expect((await call(app, { apiKey: old.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(401);
    expect((await call(app, { apiKey: fresh }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(200);
  });

  it("revocation is immediate and final", async () => {
    const { owner, workspaceId } = await setup();
    const k = await createApiKey(app, owner.cookie, workspaceId, ["workspaces:read"]);
    expect(
      (await call(app, { cookie: owner.cookie }, "DELETE", `/api/workspaces/${workspaceId}/api-keys/${k.id}`))
        .status,
    ).toBe(204);
    expect((await call(app, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(401);
    expect(
      (await call(app, { cookie: owner.cookie }, "DELETE", `/api/workspaces/${workspaceId}/api-keys/${k.id}`))
        .status,
    ).toBe(409);
  });

  it("honours expiry", async () => {
    const { owner, workspaceId } = await setup();
    const k = await createApiKey(app, owner.cookie, workspaceId, ["workspaces:read"], 30);
    expect((await call(app, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(200);
    await app.db.pool.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [
      k.id,
    ]);
    // A change by hand in SQL reaches the cache by NOTIFY, within milliseconds of the commit.
    await expect
      .poll(
        async () => (await call(app, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status,
        {
          timeout: 1_000,
          interval: 20,
        },
      )
      .toBe(401);
  });

  it("stops working when its creator leaves the workspace or is disabled", async () => {
    const { owner, workspaceId } = await setup();
    const admin = await userWithSession(app);
    await addMember(app, workspaceId, admin.id, "admin");
    const k = await createApiKey(app, admin.cookie, workspaceId, ["workspaces:read"]);
    expect((await call(app, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(200);
    await call(app, { cookie: owner.cookie }, "DELETE", `/api/workspaces/${workspaceId}/members/${admin.id}`);
    expect((await call(app, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(401);

    const k2 = await createApiKey(app, owner.cookie, workspaceId, ["workspaces:read"]);
    await app.db.pool.query("UPDATE users SET disabled_at = now() WHERE id = $1", [owner.id]);
    expect((await call(app, { apiKey: k2.key }, "GET", `/api/workspaces/${workspaceId}`)).status).toBe(401);
  });

  it("records last use at most once a minute", async () => {
    const { owner, workspaceId } = await setup();
    const k = await createApiKey(app, owner.cookie, workspaceId, ["workspaces:read"]);
    await call(app, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`);
    const lastUsed = async () =>
      (await app.db.pool.query("SELECT last_used_at FROM api_keys WHERE id = $1", [k.id])).rows[0]
        .last_used_at as Date | null;
    await expect.poll(lastUsed).not.toBeNull();
    const first = await lastUsed();
    await call(app, { apiKey: k.key }, "GET", `/api/workspaces/${workspaceId}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(await lastUsed()).toEqual(first);
  });

  it("can never mint, rotate or revoke keys, change members, or touch the workspace", async () => {
    const { owner, workspaceId } = await setup();
    const k = await createApiKey(app, owner.cookie, workspaceId, [...API_KEY_SCOPES]);
    const attempts: Array<[string, string, unknown?]> = [
      ["POST", `/api/workspaces/${workspaceId}/api-keys`, { description: "x", scopes: ["agents:read"] }],
      ["GET", `/api/workspaces/${workspaceId}/api-keys`],
      ["POST", `/api/workspaces/${workspaceId}/api-keys/${k.id}/rotate`],
      ["DELETE", `/api/workspaces/${workspaceId}/api-keys/${k.id}`],
      ["PATCH", `/api/workspaces/${workspaceId}/members/${owner.id}`, { role: "viewer" }],
      ["DELETE", `/api/workspaces/${workspaceId}/members/${owner.id}`],
      ["POST", `/api/workspaces/${workspaceId}/invitations`, { email: "x@example.org", role: "admin" }],
      ["PATCH", `/api/workspaces/${workspaceId}`, { name: "pwned" }],
      ["DELETE", `/api/workspaces/${workspaceId}`],
      ["POST", "/api/workspaces", { name: "another" }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(app, { apiKey: k.key }, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    const { rows } = await app.db.pool.query(
      "SELECT count(*)::int AS n FROM api_keys WHERE workspace_id = $1",
      [workspaceId],
    );
    expect(rows[0].n).toBe(1);
  });

  it("validates creation input", async () => {
    const { owner, workspaceId } = await setup();
    for (const body of [
      { description: "", scopes: ["agents:read"] },
      { description: "x", scopes: [] },
      { description: "x", scopes: ["root"] },
      { description: "x", scopes: ["agents:read"], ttl_days: 0 },
      { description: "x", scopes: ["agents:read"], extra: 1 },
    ]) {
      expect(
        (await call(app, { cookie: owner.cookie }, "POST", `/api/workspaces/${workspaceId}/api-keys`, body))
          .status,
      ).toBe(400);
    }
  });
});

/**
 * A key dies with its creator's standing: removal, leaving and a platform disable revoke the creator's keys in
 * the same transaction, with one audit record per key, so nothing brings them back later (a re-invitation,
 * a re-enable).
 */
describe("keys are revoked with their creator's membership", () => {
  let app: TestApp;
  let platformAdmin: { cookie: string };
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
    platformAdmin = await userWithSession(app, { role: "admin" });
  });
  afterAll(() => app.close());

  const works = async (key: string, workspaceId: string) =>
    (await call(app, { apiKey: key }, "GET", `/api/workspaces/${workspaceId}`)).status;

  async function revocations(userId: string) {
    const { rows } = await app.db.pool.query<{ id: string; workspace_id: string; revoked_at: Date | null }>(
      "SELECT id, workspace_id, revoked_at FROM api_keys WHERE created_by = $1 ORDER BY id",
      [userId],
    );
    const audit = await app.db.pool.query<{ target_id: string; workspace_id: string; metadata: unknown }>(
      "SELECT target_id, workspace_id, metadata FROM audit_log WHERE action = 'api_key.revoked' AND target_id = ANY($1) ORDER BY target_id",
      [rows.map((r) => r.id)],
    );
    return { keys: rows, audit: audit.rows };
  }

  async function memberWithKeys(role = "admin") {
    const owner = await userWithSession(app);
    const workspaceId = await createWorkspace(app, owner.cookie);
    const member = await userWithSession(app);
    await addMember(app, workspaceId, member.id, role);
    const keys = [
      await createApiKey(app, member.cookie, workspaceId, ["workspaces:read"]),
      await createApiKey(app, member.cookie, workspaceId, ["agents:read"]),
    ];
    return { owner, workspaceId, member, keys };
  }

  async function reinvite(
    ownerCookie: string,
    workspaceId: string,
    member: { email: string; cookie: string },
  ) {
    const invited = await call(
      app,
      { cookie: ownerCookie },
      "POST",
      `/api/workspaces/${workspaceId}/invitations`,
      {
        email: member.email,
        role: "admin",
      },
    );
    expect(invited.status).toBe(201);
    const token = new URL(invited.body.acceptUrl as string).hash.replace("#token=", "");
    expect(
      (await call(app, { cookie: member.cookie }, "POST", "/api/invitations/accept", { token })).status,
    ).toBe(200);
  }

  it("removing a member revokes their keys in that workspace, audited per key; re-inviting them does not bring the keys back", async () => {
    const { owner, workspaceId, member, keys } = await memberWithKeys();
    // The same person's key in another workspace is not affected.
    const elsewhere = await createWorkspace(app, member.cookie);
    const otherKey = await createApiKey(app, member.cookie, elsewhere, ["workspaces:read"]);
    const removed = await call(
      app,
      { cookie: owner.cookie },
      "DELETE",
      `/api/workspaces/${workspaceId}/members/${member.id}`,
    );
    expect(removed.status).toBe(204);
    const { keys: rows, audit } = await revocations(member.id);
    for (const k of keys) {
      expect(rows.find((r) => r.id === k.id)?.revoked_at).not.toBeNull();
      expect(await works(k.key, workspaceId)).toBe(401);
    }
    expect(rows.find((r) => r.id === otherKey.id)?.revoked_at).toBeNull();
    expect(await works(otherKey.key, elsewhere)).toBe(200);
    expect(audit).toHaveLength(2);
    for (const entry of audit) {
      expect(entry.workspace_id).toBe(workspaceId);
      expect(entry.metadata).toMatchObject({ reason: "member_removed", createdBy: member.id });
    }
    const { rows: actors } = await app.db.pool.query(
      "SELECT actor_user_id, request_id FROM audit_log WHERE action = 'api_key.revoked' AND workspace_id = $1",
      [workspaceId],
    );
    for (const a of actors)
      expect(a).toEqual({ actor_user_id: owner.id, request_id: removed.headers.get("x-request-id") });

    await reinvite(owner.cookie, workspaceId, member);
    for (const k of keys) expect(await works(k.key, workspaceId)).toBe(401);
    expect((await revocations(member.id)).audit).toHaveLength(2);
  });

  it("leaving a workspace revokes the leaver's keys there", async () => {
    const { owner, workspaceId, member, keys } = await memberWithKeys();
    expect(
      (
        await call(
          app,
          { cookie: member.cookie },
          "DELETE",
          `/api/workspaces/${workspaceId}/members/${member.id}`,
        )
      ).status,
    ).toBe(204);
    const { audit } = await revocations(member.id);
    expect(audit.map((a) => a.metadata)).toEqual([
      expect.objectContaining({ reason: "member_left" }),
      expect.objectContaining({ reason: "member_left" }),
    ]);
    await reinvite(owner.cookie, workspaceId, member);
    for (const k of keys) expect(await works(k.key, workspaceId)).toBe(401);
  });

  it("a platform admin disabling a user revokes all their keys in every workspace; re-enabling does not bring them back", async () => {
    const { workspaceId, member, keys } = await memberWithKeys();
    const own = await createWorkspace(app, member.cookie);
    const ownKey = await createApiKey(app, member.cookie, own, ["workspaces:read"]);
    const disabled = await call(app, platformAdmin, "PATCH", `/api/admin/users/${member.id}`, {
      disabled: true,
    });
    expect(disabled.status).toBe(200);
    const { keys: rows, audit } = await revocations(member.id);
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
    expect(audit.map((a) => a.workspace_id).sort()).toEqual([workspaceId, workspaceId, own].sort());
    for (const entry of audit) expect(entry.metadata).toMatchObject({ reason: "user_disabled" });
    const record = await app.db.pool.query(
      "SELECT metadata FROM audit_log WHERE action = 'admin.user_updated' AND target_id = $1",
      [member.id],
    );
    expect(record.rows[0].metadata).toMatchObject({ apiKeysRevoked: 3 });

    expect(
      (await call(app, platformAdmin, "PATCH", `/api/admin/users/${member.id}`, { disabled: false })).status,
    ).toBe(200);
    for (const k of keys) expect(await works(k.key, workspaceId)).toBe(401);
    expect(await works(ownKey.key, own)).toBe(401);
  });

  it("a role change, including giving up ownership, keeps the keys but bounds them by the new role", async () => {
    const { owner, workspaceId, member, keys } = await memberWithKeys("owner");
    await call(
      app,
      { cookie: owner.cookie },
      "PATCH",
      `/api/workspaces/${workspaceId}/members/${member.id}`,
      {
        role: "viewer",
      },
    );
    const { keys: rows } = await revocations(member.id);
    expect(rows.every((r) => r.revoked_at === null)).toBe(true);
    expect(await works(keys[0]?.key as string, workspaceId)).toBe(200);
    const write = await call(
      app,
      { apiKey: keys[0]?.key as string },
      "POST",
      `/api/workspaces/${workspaceId}/integrations`,
      {},
    );
    expect(write.status).toBe(403);
  });
});
