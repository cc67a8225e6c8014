import { DisposableRedis } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createWorkspace, userWithSession } from "./identity.js";
import { buildImage, type ProvisioningStack, startProvisioningStack } from "./provisioning-harness.js";

/**
 * Faults the provisioner must survive, with the real processes: a provisioner SIGKILLed in the middle
 * of a deployment (five times over), Redis restarted (losing every queued job: it keeps no data) while
 * a deployment is asked for or running, and two deployments of one agent at once. Each ends with the
 * agent `running` on exactly one container. The runtime is the contract-only image (the 9090 server
 * without an agent: fast to start), named so.
 */
const TIMEOUT = 10 * 60_000;
let image: string;

beforeAll(async () => {
  image = await buildImage("infra/images/build-contract-image.sh");
}, 25 * 60_000);

async function tenant(stack: ProvisioningStack) {
  const owner = await userWithSession(stack.app);
  const workspaceId = await createWorkspace(stack.app, owner.cookie);
  const { key } = await createApiKey(stack.app, owner.cookie, workspaceId, ["agents:read", "agents:write"]);
  const asKey = (method: string, path: string, body?: unknown) =>
    call(stack.app, { apiKey: key }, method, path, body);
  return { workspaceId, asKey };
}

async function deploymentRow(stack: ProvisioningStack, id: string) {
  const { rows } = await stack.db.pool.query<{ status: string; attempts: number; reason: string | null }>(
    "SELECT status, attempts, reason FROM deployments WHERE id = $1",
    [id],
  );
  return rows[0];
}

async function agentStatus(stack: ProvisioningStack, id: string) {
  const { rows } = await stack.db.pool.query<{ status: string }>("SELECT status FROM agents WHERE id = $1", [
    id,
  ]);
  return rows[0]?.status;
}

async function settled(stack: ProvisioningStack, deploymentId: string, timeout = 120_000) {
  await expect
    .poll(async () => (await deploymentRow(stack, deploymentId))?.status, { timeout, interval: 100 })
    .toMatch(/^(succeeded|warning|failed|cancelled)$/);
  return deploymentRow(stack, deploymentId);
}

describe("the provisioner killed mid-deployment", () => {
  let stack: ProvisioningStack;
  beforeAll(async () => {
    stack = await startProvisioningStack({ image });
  }, 120_000);
  afterAll(() => stack?.close());

  it("recovers the job five times over: the agent converges to running with one container", {
    timeout: TIMEOUT,
  }, async () => {
    const { workspaceId, asKey } = await tenant(stack);
    const deploy = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "kill-me",
      memoryMb: 2048,
    });
    expect(deploy.status).toBe(202);
    const agentId = (deploy.body.agent as { id: string }).id;
    expect((await settled(stack, (deploy.body.deployment as { id: string }).id))?.status).toBe("succeeded");

    let kills = 0;
    for (let round = 0; kills < 5 && round < 15; round++) {
      const redeploy = await asKey("POST", `/api/agents/${agentId}/redeploy`);
      expect(redeploy.status).toBe(202);
      const deploymentId = (redeploy.body.deployment as { id: string }).id;
      // Kill once the provisioner is inside the deployment: the runtime is being created or started.
      await expect
        .poll(
          async () => [await agentStatus(stack, agentId), (await deploymentRow(stack, deploymentId))?.status],
          {
            timeout: 30_000,
            interval: 10,
          },
        )
        .toSatisfy(([agent, deployment]) =>
          (agent === "provisioning" || agent === "starting") && deployment === "in_progress"
            ? true
            : deployment !== "queued" && deployment !== "in_progress",
        );
      const before = await deploymentRow(stack, deploymentId);
      await stack.provisioner.stop("SIGKILL");
      if (before?.status === "in_progress") kills++;
      await stack.startProvisioner();
      const after = await settled(stack, deploymentId);
      expect(after?.status, after?.reason ?? "").toBe("succeeded");
      if (before?.status === "in_progress") expect(after?.attempts).toBeGreaterThanOrEqual(2);
      expect(await agentStatus(stack, agentId)).toBe("running");
      expect(await stack.containersOf(agentId)).toHaveLength(1);
    }
    expect(kills).toBe(5);
  });

  it("serialises two deployments of one agent asked for at once: one container", {
    timeout: TIMEOUT,
  }, async () => {
    const { workspaceId, asKey } = await tenant(stack);
    const deploy = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "twice",
      memoryMb: 2048,
    });
    const agentId = (deploy.body.agent as { id: string }).id;
    const [a, b] = await Promise.all([
      asKey("POST", `/api/agents/${agentId}/redeploy`),
      asKey("POST", `/api/agents/${agentId}/redeploy`),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const ids = [deploy, a, b].map((r) => (r.body.deployment as { id: string }).id);
    const outcomes = await Promise.all(ids.map((id) => settled(stack, id)));
    // The newest request wins; older ones still queued when it arrived are superseded, not run twice.
    const { rows } = await stack.db.pool.query<{ status: string; reason: string | null }>(
      "SELECT status, reason FROM deployments WHERE agent_id = $1 ORDER BY created_at DESC, id DESC",
      [agentId],
    );
    expect(rows[0]?.status, JSON.stringify(rows)).toBe("succeeded");
    for (const outcome of outcomes) expect(["succeeded", "cancelled"]).toContain(outcome?.status);
    expect(await agentStatus(stack, agentId)).toBe("running");
    expect(await stack.containersOf(agentId)).toHaveLength(1);
  });
});

describe("Redis restarted (its data lost) around a deployment", () => {
  let stack: ProvisioningStack;
  let redis: DisposableRedis;
  beforeAll(async () => {
    redis = await DisposableRedis.start();
    stack = await startProvisioningStack({ image, redis });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it("loses no deployment: asked for while Redis is down, or running when it restarts", {
    timeout: TIMEOUT,
  }, async () => {
    const { workspaceId, asKey } = await tenant(stack);

    await redis.stop();
    const whileDown = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "redis-down",
      memoryMb: 2048,
    });
    expect(whileDown.status).toBe(202);
    await redis.start();
    const first = await settled(stack, (whileDown.body.deployment as { id: string }).id);
    expect(first?.status, first?.reason ?? "").toBe("succeeded");

    const during = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "redis-restart",
      memoryMb: 2048,
    });
    expect(during.status).toBe(202);
    await redis.stop();
    await redis.start();
    const second = await settled(stack, (during.body.deployment as { id: string }).id);
    expect(second?.status, second?.reason ?? "").toBe("succeeded");

    for (const response of [whileDown, during]) {
      const agentId = (response.body.agent as { id: string }).id;
      expect(await agentStatus(stack, agentId)).toBe("running");
      expect(await stack.containersOf(agentId)).toHaveLength(1);
    }
  });
});
