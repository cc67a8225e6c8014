import { createTestDatabase, type TestDatabase } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentForJob, agentsWithStatus, recordRuntime } from "../src/deployments/provisioner-repo.js";

/** The endpoints the provisioner stores on the agent row (migration 0012 adds dashboard_url). */

let db: TestDatabase;
let agentId: string;
let revisionId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const user = await db.pool.query<{ id: string }>(
    "INSERT INTO users (email, password_hash) VALUES ('endpoints@example.org', 'x') RETURNING id",
  );
  const ws = await db.pool.query<{ id: string }>(
    "INSERT INTO workspaces (name, created_by) VALUES ('endpoints', $1) RETURNING id",
    [user.rows[0]?.id],
  );
  const agent = await db.pool.query<{ id: string }>(
    "INSERT INTO agents (workspace_id, name, runtime_family, status) VALUES ($1, 'h', 'hermes', 'starting') RETURNING id",
    [ws.rows[0]?.id],
  );
  agentId = agent.rows[0]?.id as string;
  const revision = await db.pool.query<{ id: string }>(
    `INSERT INTO agent_revisions (agent_id, number, runtime_family, deploy_target, sandbox_profile, image, vcpu, memory_mb, disk_gb)
     VALUES ($1, 1, 'hermes', 'docker', 'standard', 'nora-runtime-hermes:test', 1, 1024, 1) RETURNING id`,
    [agentId],
  );
  revisionId = revision.rows[0]?.id as string;
});

afterAll(async () => {
  await db?.drop();
});

const runtime = (dashboardUrl: string | null) => ({
  runtimeUrl: "http://127.0.0.1:41001",
  gatewayUrl: "http://127.0.0.1:41002",
  dashboardUrl,
  runtimeRef: `nora-agent-${agentId}`,
  enforcement: {},
  revisionId,
});

describe("the agent row's endpoints", () => {
  it("stores dashboard_url beside gateway_url, and every provisioner read returns it", async () => {
    await recordRuntime(db.pool, agentId, runtime("http://127.0.0.1:41003"));
    expect(await agentForJob(db.pool, agentId)).toMatchObject({
      runtimeUrl: "http://127.0.0.1:41001",
      gatewayUrl: "http://127.0.0.1:41002",
      dashboardUrl: "http://127.0.0.1:41003",
    });
    const [row] = (await agentsWithStatus(db.pool, ["starting"])).filter((a) => a.id === agentId);
    expect(row?.dashboardUrl).toBe("http://127.0.0.1:41003");
  });

  it("a runtime without a dashboard clears it", async () => {
    await recordRuntime(db.pool, agentId, runtime(null));
    expect((await agentForJob(db.pool, agentId))?.dashboardUrl).toBeNull();
  });

  it("accepts only http(s) URLs", async () => {
    await expect(
      db.pool.query("UPDATE agents SET dashboard_url = 'file:///etc/passwd' WHERE id = $1", [agentId]),
    ).rejects.toMatchObject({ code: "23514" });
    expect((await agentForJob(db.pool, agentId))?.dashboardUrl).toBeNull();
  });
});
