import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

const run = promisify(execFile);

/**
 * The canary scan: secrets handed to Nora through its API must not be readable from a dump of the
 * whole database, nor from the logs, nor from any later API response.
 */
describe("canary scan", () => {
  let app: TestApp;
  const canaries = {
    override: `canary-override-${randomBytes(8).toString("hex")}`,
    kubeToken: `canary-kube-${randomBytes(8).toString("hex")}`,
  };

  beforeAll(async () => {
    app = await startTestApp({
      env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex"), LOG_LEVEL: "trace" },
    });
  });
  afterAll(() => app.close());

  it("finds no canary in pg_dump, the logs, or later responses", async () => {
    const owner = await userWithSession(app);
    const workspaceId = await createWorkspace(app, owner.cookie);
    const { rows } = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name) VALUES ($1, 'canary agent') RETURNING id",
      [workspaceId],
    );
    const agentId = rows[0]?.id as string;

    const set = await call(
      app,
      { cookie: owner.cookie },
      "PUT",
      `/api/agents/${agentId}/secrets/CANARY_TOKEN`,
      {
        value: canaries.override,
      },
    );
    expect(set.status).toBe(204);

    const admin = await userWithSession(app, { role: "admin" });
    const kubeconfig = JSON.stringify({
      clusters: [
        { name: "c", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": "Q0E=" } },
      ],
      users: [{ name: "u", user: { token: canaries.kubeToken } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    const cluster = await call(app, { cookie: admin.cookie }, "POST", "/api/admin/clusters", {
      name: "canary cluster",
      namespace: "nora-agents",
      kubeconfig,
    });
    expect(cluster.status).toBe(201);

    const reads = [
      await call(app, { cookie: owner.cookie }, "GET", `/api/agents/${agentId}/secrets`),
      await call(app, { cookie: owner.cookie }, "GET", `/api/workspaces/${workspaceId}/audit`),
      await call(app, { cookie: admin.cookie }, "GET", "/api/admin/clusters"),
      await call(app, { cookie: admin.cookie }, "GET", "/api/admin/audit"),
    ];
    for (const res of reads) {
      expect(res.status).toBe(200);
      for (const canary of Object.values(canaries)) expect(res.text).not.toContain(canary);
    }

    const { stdout: dump } = await run("pg_dump", ["--dbname", app.db.url, "--data-only", "--no-owner"], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toContain("CANARY_TOKEN"); // the dump is real and holds the row...
    expect(dump).toContain("canary cluster");
    for (const canary of Object.values(canaries)) {
      expect(dump).not.toContain(canary); // ...but not the secret
      expect(app.logs.text).not.toContain(canary);
    }
    expect(app.logs.lines.length).toBeGreaterThanOrEqual(5);
  });
});
