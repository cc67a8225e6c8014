import { createTestDatabase, type TestDatabase } from "@nora/core/testing";
import { listAudit, recordAudit } from "@nora/domain/audit/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("audit log", () => {
  let db: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const { rows } = await db.pool.query<{ id: string }>(
      "INSERT INTO users (email, role) VALUES ('ana@example.org', 'admin') RETURNING id",
    );
    userId = rows[0]?.id as string;
  });
  afterAll(() => db.drop());

  it("records who did what, where, with the request id and IP", async () => {
    const workspaceId = crypto.randomUUID();
    const record = await recordAudit(db.pool, {
      actor: { type: "user", userId },
      action: "workspace.member.role_changed",
      workspaceId,
      target: { type: "user", id: userId },
      requestId: "req-123",
      ip: "203.0.113.9",
      metadata: { from: "viewer", to: "editor" },
    });
    expect(record).toMatchObject({
      actorType: "user",
      actorUserId: userId,
      workspaceId,
      action: "workspace.member.role_changed",
      targetType: "user",
      targetId: userId,
      requestId: "req-123",
      ip: "203.0.113.9",
      metadata: { from: "viewer", to: "editor" },
    });
    expect(record.occurredAt).toBeInstanceOf(Date);
    const listed = await listAudit(db.pool, { workspaceId });
    expect(listed.records.map((r) => r.id)).toEqual([record.id]);
  });

  it("records API-key actors", async () => {
    const apiKeyId = crypto.randomUUID();
    const record = await recordAudit(db.pool, {
      actor: { type: "api_key", apiKeyId, userId },
      action: "agent.created",
    });
    expect(record).toMatchObject({ actorType: "api_key", actorApiKeyId: apiKeyId, actorUserId: userId });
  });

  it("never stores secret-named metadata", async () => {
    const record = await recordAudit(db.pool, {
      actor: { type: "system" },
      action: "provider.created",
      metadata: { provider: "openai", apiKey: "sk-canary", nested: { CLIENT_SECRET: "x" } },
    });
    expect(record.metadata).toEqual({
      provider: "openai",
      apiKey: "[redacted]",
      nested: { CLIENT_SECRET: "[redacted]" },
    });
  });

  it("refuses malformed entries", async () => {
    await expect(recordAudit(db.pool, { actor: { type: "system" }, action: "Has Spaces" })).rejects.toThrow();
    await expect(
      recordAudit(db.pool, { actor: { type: "user", userId: "nope" }, action: "x" }),
    ).rejects.toThrow();
  });

  it("is append-only: UPDATE, DELETE and TRUNCATE are refused by the database", async () => {
    await recordAudit(db.pool, { actor: { type: "system" }, action: "platform.setting_changed" });
    await expect(db.pool.query("UPDATE audit_log SET action = 'tampered'")).rejects.toThrow(/append-only/);
    await expect(db.pool.query("DELETE FROM audit_log")).rejects.toThrow(/append-only/);
    await expect(db.pool.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'tampered'",
    );
    expect(rows[0].n).toBe(0);
  });

  it("lists newest first by numeric id and pages across a change in digit count (9 → 10, 99 → 100)", async () => {
    const workspaceId = crypto.randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const record = await recordAudit(db.pool, {
        actor: { type: "system" },
        action: "paging.probe",
        workspaceId,
      });
      ids.push(record.id);
    }
    const newestFirst = [...ids].reverse();
    const seen: string[] = [];
    let before: string | undefined;
    do {
      const page = await listAudit(db.pool, {
        workspaceId,
        limit: 7,
        ...(before ? { beforeId: before } : {}),
      });
      seen.push(...page.records.map((r) => r.id));
      before = page.nextBefore;
    } while (before);
    expect(seen).toEqual(newestFirst);
  });
});
