import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createWorkspace, userWithSession } from "./identity.js";
import {
  buildImage,
  docker,
  type ProvisioningStack,
  startProvisioningStack,
} from "./provisioning-harness.js";

/**
 * Twelve agents asked for at once, deployed six at a time (DEPLOYMENT_WORKER_CONCURRENCY=6) by the
 * real provisioner on the real Docker engine: every one ends `running`, each on its own network and
 * with host ports no other agent has. The runtime is the contract-only image (the 9090 server without
 * an agent), named so; the OpenClaw image's end to end is provisioning-e2e.test.ts.
 */
const AGENTS = 12;
let stack: ProvisioningStack;

beforeAll(async () => {
  const image = await buildImage("infra/images/build-contract-image.sh");
  stack = await startProvisioningStack({
    image,
    env: { DEPLOYMENT_WORKER_CONCURRENCY: "6", AGENT_QUOTA_PER_WORKSPACE: String(AGENTS) },
  });
}, 25 * 60_000);

afterAll(() => stack?.close());

describe("concurrent provisioning", () => {
  it(`brings ${AGENTS} agents to running at concurrency 6, with unique ports and networks`, {
    timeout: 10 * 60_000,
  }, async () => {
    const owner = await userWithSession(stack.app);
    const workspaceId = await createWorkspace(stack.app, owner.cookie);
    const { key } = await createApiKey(stack.app, owner.cookie, workspaceId, ["agents:read", "agents:write"]);
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: AGENTS }, (_, i) =>
        call(stack.app, { apiKey: key }, "POST", `/api/workspaces/${workspaceId}/agents`, {
          name: `fleet-${i}`,
          memoryMb: 2048,
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(AGENTS).fill(202));
    const ids = responses.map((r) => (r.body.agent as { id: string }).id);

    await expect
      .poll(
        async () => {
          const { rows } = await stack.db.pool.query<{ status: string }>(
            "SELECT status FROM agents WHERE id = ANY($1::uuid[])",
            [ids],
          );
          return rows.filter((r) => r.status === "running").length;
        },
        { timeout: 8 * 60_000, interval: 250 },
      )
      .toBe(AGENTS);
    const seconds = (performance.now() - started) / 1000;
    console.log(`${AGENTS} agents running at concurrency 6 in ${seconds.toFixed(1)} s`);

    const { rows: ports } = await stack.db.pool.query<{ port: number; agentId: string }>(
      `SELECT port, agent_id AS "agentId" FROM agent_host_ports WHERE agent_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(ports).toHaveLength(AGENTS * 2);
    expect(new Set(ports.map((p) => p.port)).size).toBe(AGENTS * 2);
    const published = new Set<string>();
    for (const id of ids) {
      const mapping = await docker(["port", `nora-agent-${id}`]);
      for (const line of mapping.split("\n")) published.add(line.split(" -> ")[1] ?? "");
      expect(await stack.containersOf(id)).toHaveLength(1);
    }
    expect(published.size).toBe(AGENTS * 2);
    const subnets = await stack.db.pool.query<{ n: number }>(
      "SELECT count(DISTINCT subnet_index)::int AS n FROM agent_networks WHERE agent_id = ANY($1::uuid[])",
      [ids],
    );
    expect(subnets.rows[0]?.n).toBe(AGENTS);
  });
});
