import { randomBytes, randomUUID } from "node:crypto";
import { closeQueues, createQueues, createRedis, type NoraQueues, QUEUES, type Redis } from "@nora/core";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

describe("admin: fleet actions and the dead-letter view", () => {
  let app: TestApp;
  let admin: { id: string; cookie: string };
  let workspaceId: string;
  let connection: Redis;
  let queues: NoraQueues;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    admin = await userWithSession(app, { role: "admin" });
    workspaceId = await createWorkspace(app, admin.cookie);
    connection = createRedis(app.config.redis, "admin-queues-test", "bullmq");
    queues = createQueues(app.config, connection);
  });
  afterAll(async () => {
    await closeQueues(queues);
    connection.disconnect();
    await app.close();
  });

  const asAdmin = (method: string, path: string, body?: unknown) =>
    call(app, { cookie: admin.cookie }, method, path, body);

  async function deploy(name: string) {
    const res = await asAdmin("POST", `/api/workspaces/${workspaceId}/agents`, { name });
    expect(res.status).toBe(202);
    return res.body as { agent: { id: string }; deployment: { id: string } };
  }

  it("fleet: one deployment and one job per agent; unknown and refused ids reported per id", async () => {
    const a = await deploy("fleet-a");
    const b = await deploy("fleet-b");
    const deleting = await deploy("fleet-deleting");
    await asAdmin("DELETE", `/api/agents/${deleting.agent.id}`);
    const unknown = randomUUID();
    const res = await asAdmin("POST", "/api/admin/fleet/restart", {
      agentIds: [a.agent.id, b.agent.id, unknown, deleting.agent.id, a.agent.id],
    });
    expect(res.status).toBe(202);
    const results = res.body.results as Array<Record<string, unknown>>;
    expect(results.map((r) => [r.agentId, r.ok, r.error ?? null])).toEqual([
      [a.agent.id, true, null],
      [b.agent.id, true, null],
      [unknown, false, "not_found"],
      [deleting.agent.id, false, "illegal_transition"],
    ]);
    for (const r of results.filter((r) => r.ok)) {
      const deployment = r.deployment as { id: string; action: string };
      expect(deployment.action).toBe("restart");
      const job = await queues.deployments.queue.getJob(deployment.id);
      expect(job?.data).toEqual({ deploymentId: deployment.id, agentId: r.agentId });
    }
    const redeploy = await asAdmin("POST", "/api/admin/fleet/redeploy", { agentIds: [a.agent.id] });
    expect(redeploy.body.results).toEqual([
      expect.objectContaining({
        ok: true,
        deployment: expect.objectContaining({ action: "redeploy", revision: 2 }),
      }),
    ]);
    const stop = await asAdmin("POST", "/api/admin/fleet/stop", { agentIds: [b.agent.id] });
    expect(stop.body.results).toEqual([expect.objectContaining({ ok: true })]);
    expect((await asAdmin("GET", `/api/agents/${b.agent.id}`)).body.agent).toMatchObject({
      status: "stopping",
      desiredState: "stopped",
    });
    expect((await asAdmin("POST", "/api/admin/fleet/stop", { agentIds: [] })).status).toBe(400);
  });

  it("lists a real failed deploy-agent job (ids only) and retries it: the deployment goes back to queued", async () => {
    const { agent, deployment } = await deploy("dead-letter");
    // The job the deploy enqueued, failed for good by a real worker (one attempt, as if retries ran out).
    // Only this job in the queue: the fleet test's jobs go (a real worker would take them too).
    await queues.deployments.queue.drain(true);
    await (await queues.deployments.queue.getJob(deployment.id))?.remove();
    await queues.deployments.queue.add(
      QUEUES.deployments.job,
      { deploymentId: deployment.id, agentId: agent.id },
      { jobId: deployment.id, attempts: 1, removeOnFail: false },
    );
    const workerConnection = createRedis(app.config.redis, "dead-letter-worker", "bullmq");
    const worker = new Worker(
      QUEUES.deployments.name,
      async () => {
        throw new Error("docker: image never became ready");
      },
      { connection: workerConnection, prefix: app.config.redis.keyPrefix, autorun: false },
    );
    const failed = new Promise<void>((resolve) =>
      worker.on("failed", (job) => {
        if (job?.id === deployment.id) resolve();
      }),
    );
    void worker.run();
    await failed;
    await worker.close();
    workerConnection.disconnect();
    await app.db.pool.query("UPDATE deployments SET status = 'failed', reason = 'gave up' WHERE id = $1", [
      deployment.id,
    ]);

    const list = await asAdmin("GET", "/api/admin/queues/deployments/failed");
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.jobs).toEqual([
      expect.objectContaining({
        id: deployment.id,
        name: "deploy-agent",
        data: { deploymentId: deployment.id, agentId: agent.id },
        attemptsMade: 1,
        failedReason: "docker: image never became ready",
      }),
    ]);
    expect((await asAdmin("GET", "/api/admin/queues/backups/failed")).body).toEqual({ jobs: [], total: 0 });

    const retry = await asAdmin("POST", `/api/admin/queues/deployments/failed/${deployment.id}/retry`);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ retried: true, job: { id: deployment.id } });
    const job = await queues.deployments.queue.getJob(deployment.id);
    expect(await job?.getState()).toBe("waiting");
    const row = await app.db.pool.query("SELECT status, reason FROM deployments WHERE id = $1", [
      deployment.id,
    ]);
    expect(row.rows[0]).toEqual({ status: "queued", reason: null });
    const audit = await app.db.pool.query(
      "SELECT metadata FROM audit_log WHERE action = 'queue.job_retried'",
    );
    expect(audit.rows[0]?.metadata).toMatchObject({ queue: "deployments", deploymentId: deployment.id });

    // No longer failed, so not retried twice; unknown ids and queues answer 404.
    expect(
      (await asAdmin("POST", `/api/admin/queues/deployments/failed/${deployment.id}/retry`)).status,
    ).toBe(404);
    expect((await asAdmin("POST", "/api/admin/queues/deployments/failed/nope/retry")).status).toBe(404);
    expect((await asAdmin("GET", "/api/admin/queues/mystery/failed")).status).toBe(400);
  });
});
