import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createWorkspace, userWithSession } from "./identity.js";
import {
  buildImage,
  docker,
  type ProvisioningStack,
  startProvisioningStack,
} from "./provisioning-harness.js";

/**
 * Keeping statuses true outside deployments, with the real provisioner process and Docker engine: a
 * runtime that crashes (its server killed inside the container) makes its agent `failed`, and Docker's
 * restart policy bringing it back makes it `running` again; a runtime removed behind Nora's back is
 * found at provisioner start and its agent marked redeployable; a runtime without an agent is reported,
 * and removed when so configured. The runtime is the contract-only image (the 9090 server alone).
 */
const TIMEOUT = 5 * 60_000;
let stack: ProvisioningStack;
let workspaceId: string;
let asKey: (method: string, path: string, body?: unknown) => ReturnType<typeof call>;

beforeAll(async () => {
  const image = await buildImage("infra/images/build-contract-image.sh");
  stack = await startProvisioningStack({ image });
  const owner = await userWithSession(stack.app);
  workspaceId = await createWorkspace(stack.app, owner.cookie);
  const { key } = await createApiKey(stack.app, owner.cookie, workspaceId, ["agents:read", "agents:write"]);
  asKey = (method, path, body) => call(stack.app, { apiKey: key }, method, path, body);
}, 25 * 60_000);

afterAll(() => stack?.close());

async function agent(id: string) {
  const { rows } = await stack.db.pool.query<{ status: string; statusReason: string | null }>(
    `SELECT status, status_reason AS "statusReason" FROM agents WHERE id = $1`,
    [id],
  );
  return rows[0];
}

async function deployRunning(name: string): Promise<string> {
  const res = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, { name, memoryMb: 2048 });
  expect(res.status).toBe(202);
  const id = (res.body.agent as { id: string }).id;
  await expect
    .poll(async () => (await agent(id))?.status, { timeout: 60_000, interval: 100 })
    .toBe("running");
  return id;
}

const eventsOf = async (type: string) =>
  (
    await stack.db.pool.query<{ agentId: string; message: string }>(
      `SELECT agent_id AS "agentId", message FROM events WHERE workspace_id = $1 AND type = $2`,
      [workspaceId, type],
    )
  ).rows;

describe("the reconciler", () => {
  it("fails an agent whose runtime crashes, and brings it back to running when Docker restarts it", {
    timeout: TIMEOUT,
  }, async () => {
    const id = await deployRunning("crashes");
    await docker(["exec", `nora-agent-${id}`, "sh", "-c", "kill -9 $(pidof node)"]);
    await expect
      .poll(async () => (await agent(id))?.status, { timeout: 30_000, interval: 50 })
      .toBe("failed");
    expect((await agent(id))?.statusReason).toMatch(/the runtime stopped: it exited with code/);
    // unless-stopped: Docker starts it again; the provisioner probes it and reports it ready.
    await expect
      .poll(async () => (await agent(id))?.status, { timeout: 60_000, interval: 100 })
      .toBe("running");
    expect(await stack.containersOf(id)).toHaveLength(1);
  });

  it("marks an agent whose runtime vanished while no provisioner ran, and redeploys it", {
    timeout: TIMEOUT,
  }, async () => {
    const id = await deployRunning("vanishes");
    await stack.provisioner.stop("SIGTERM");
    await docker(["rm", "-f", `nora-agent-${id}`]);
    await stack.startProvisioner();
    await expect
      .poll(async () => (await agent(id))?.status, { timeout: 30_000, interval: 100 })
      .toBe("failed");
    expect((await agent(id))?.statusReason).toMatch(/its runtime is gone/);
    expect((await asKey("POST", `/api/agents/${id}/redeploy`)).status).toBe(202);
    await expect
      .poll(async () => (await agent(id))?.status, { timeout: 60_000, interval: 100 })
      .toBe("running");
  });

  it("reports a runtime without an agent, and removes it (keeping its volumes) when configured", {
    timeout: TIMEOUT,
  }, async () => {
    const id = await deployRunning("orphaned");
    await stack.provisioner.stop("SIGTERM");
    // The row goes away behind the provisioner's back (a restored database, a manual DELETE).
    await stack.db.pool.query("DELETE FROM agents WHERE id = $1", [id]);
    await stack.startProvisioner();
    await expect
      .poll(async () => (await eventsOf("runtime.orphan_found")).map((e) => e.agentId))
      .toContain(id);
    expect(await stack.containersOf(id)).toHaveLength(1);

    await stack.provisioner.stop("SIGTERM");
    await stack.startProvisioner({ DOCKER_REMOVE_ORPHANS: "true" });
    await expect
      .poll(async () => (await eventsOf("runtime.orphan_removed")).map((e) => e.agentId))
      .toContain(id);
    expect(await stack.containersOf(id)).toEqual([]);
    const volumes = await docker(["volume", "ls", "-q", "--filter", `name=nora-agent-${id}`]);
    expect(volumes.split("\n").sort()).toEqual([`nora-agent-${id}-state`, `nora-agent-${id}-workspace`]);
    await docker(["volume", "rm", ...volumes.split("\n")]);
  });
});
