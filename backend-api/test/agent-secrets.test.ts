import { randomBytes, randomUUID } from "node:crypto";
import { Keyring } from "@nora/core";
import { createEnvOverridesService } from "@nora/domain/agents/env-overrides-service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

const KEY = randomBytes(32).toString("hex");

describe("per-agent secret overrides", () => {
  let app: TestApp;
  let owner: { id: string; cookie: string };
  let workspaceId: string;
  let agentId: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: KEY } });
    owner = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    const { rows } = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name) VALUES ($1, 'scout') RETURNING id",
      [workspaceId],
    );
    agentId = rows[0]?.id as string;
  });
  afterAll(() => app.close());

  const put = (name: string, value: unknown) =>
    call(app, { cookie: owner.cookie }, "PUT", `/api/agents/${agentId}/secrets/${name}`, { value });

  it("seals the value at rest, never returns it, and shows only a hint", async () => {
    const value = "ghp_canaryCANARYcanary0042";
    expect((await put("GITHUB_TOKEN", value)).status).toBe(204);
    const list = await call(app, { cookie: owner.cookie }, "GET", `/api/agents/${agentId}/secrets`);
    expect(list.status).toBe(200);
    expect(list.body.secrets).toEqual([
      expect.objectContaining({ name: "GITHUB_TOKEN", set: true, hint: "0042", updatedBy: owner.id }),
    ]);
    expect(list.text).not.toContain(value);
    const { rows } = await app.db.pool.query("SELECT * FROM agent_secret_overrides");
    expect(rows[0].value_sealed).toMatch(/^nora:v1:/);
    expect(JSON.stringify(rows)).not.toContain("canaryCANARY");
    const audit = await app.db.pool.query(
      "SELECT action, metadata FROM audit_log WHERE action LIKE 'agent.secret%'",
    );
    expect(audit.rows).toEqual([{ action: "agent.secret_created", metadata: { name: "GITHUB_TOKEN" } }]);
    expect(JSON.stringify(audit.rows)).not.toContain("canary");
  });

  it("gives short values no hint", async () => {
    await put("SHORT_PIN", "1234");
    const list = await call(app, { cookie: owner.cookie }, "GET", `/api/agents/${agentId}/secrets`);
    expect(
      (list.body.secrets as Array<{ name: string; hint: string }>).find((s) => s.name === "SHORT_PIN")?.hint,
    ).toBe("");
  });

  it.each([
    ["lowercase", "github_token"],
    ["leading digit", "1TOKEN"],
    ["too long", `A${"B".repeat(64)}`],
    ["dash", "MY-TOKEN"],
    ["reserved NORA_", "NORA_RUNTIME_TOKEN"],
    ["reserved OPENCLAW_", "OPENCLAW_GATEWAY_TOKEN"],
    ["reserved PATH", "PATH"],
    ["reserved LD_PRELOAD", "LD_PRELOAD"],
  ])("refuses a %s name", async (_label, name) => {
    const res = await put(encodeURIComponent(name), "value-value-value");
    expect(res.status).toBe(400);
    const { rows } = await app.db.pool.query(
      "SELECT count(*)::int AS n FROM agent_secret_overrides WHERE name = $1",
      [name],
    );
    expect(rows[0].n).toBe(0);
  });

  it("refuses empty and oversized values", async () => {
    expect((await put("EMPTY", "")).status).toBe(400);
    expect((await put("HUGE", "x".repeat(32_769))).status).toBe(400);
    expect((await put("NOT_STRING", 42)).status).toBe(400);
  });

  it("updates in place, deletes, and answers 404 for unknown agents and names", async () => {
    await put("ROTATING", "first-value-123456");
    await put("ROTATING", "second-value-654321");
    const service = createEnvOverridesService({ pool: app.db.pool, keyring: Keyring.fromConfig(app.config) });
    expect((await service.values(agentId)).ROTATING).toBe("second-value-654321");
    expect(
      (await call(app, { cookie: owner.cookie }, "DELETE", `/api/agents/${agentId}/secrets/ROTATING`)).status,
    ).toBe(204);
    expect(
      (await call(app, { cookie: owner.cookie }, "DELETE", `/api/agents/${agentId}/secrets/ROTATING`)).status,
    ).toBe(404);
    expect(
      (await call(app, { cookie: owner.cookie }, "GET", `/api/agents/${randomUUID()}/secrets`)).status,
    ).toBe(404);
    expect((await call(app, { cookie: owner.cookie }, "GET", "/api/agents/not-a-uuid/secrets")).status).toBe(
      404,
    );
  });

  it("decrypts for delivery, and re-seals legacy plaintext when the override allows it", async () => {
    const legacyId = randomUUID();
    await app.db.pool.query(
      "INSERT INTO agent_secret_overrides (id, agent_id, name, value_sealed, value_hint) VALUES ($1, $2, 'LEGACY', 'plain-legacy-value', '')",
      [legacyId, agentId],
    );
    const strict = createEnvOverridesService({ pool: app.db.pool, keyring: Keyring.fromConfig(app.config) });
    await expect(strict.values(agentId)).rejects.toMatchObject({ status: 409, code: "secret_unreadable" });
    const lenientConfig = { ...app.config, secrets: { ...app.config.secrets, allowPlaintextSecrets: true } };
    const lenient = createEnvOverridesService({
      pool: app.db.pool,
      keyring: Keyring.fromConfig(lenientConfig),
    });
    expect((await lenient.values(agentId)).LEGACY).toBe("plain-legacy-value");
    const { rows } = await app.db.pool.query(
      "SELECT value_sealed FROM agent_secret_overrides WHERE id = $1",
      [legacyId],
    );
    expect(rows[0].value_sealed).toMatch(/^nora:v1:/);
    expect((await strict.values(agentId)).LEGACY).toBe("plain-legacy-value");
    await app.db.pool.query("DELETE FROM agent_secret_overrides WHERE id = $1", [legacyId]);
  });

  it("is unreachable from another workspace (404, not 403)", async () => {
    const stranger = await userWithSession(app);
    await createWorkspace(app, stranger.cookie);
    const res = await call(app, { cookie: stranger.cookie }, "GET", `/api/agents/${agentId}/secrets`);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });
});
