import { AGENT_PORTS, RUNTIME_PORTS } from "@nora/agent-runtime";
import { createTestDatabase, type TestDatabase } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AllocationExhausted,
  agentHostPorts,
  releaseAgentHostPorts,
} from "../src/deployments/provisioner-allocation.js";

/** Host port allocation in agent_host_ports, against the real PostgreSQL. */

const HERMES = { contract: RUNTIME_PORTS.contract, ...AGENT_PORTS.hermes };
const OPENCLAW = { contract: RUNTIME_PORTS.contract, ...AGENT_PORTS.openclaw };
const RANGE = { first: 41000, last: 41009 };

let db: TestDatabase;
let workspaceId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const user = await db.pool.query<{ id: string }>(
    "INSERT INTO users (email, password_hash) VALUES ('alloc@example.org', 'x') RETURNING id",
  );
  const ws = await db.pool.query<{ id: string }>(
    "INSERT INTO workspaces (name, created_by) VALUES ('alloc', $1) RETURNING id",
    [user.rows[0]?.id],
  );
  workspaceId = ws.rows[0]?.id as string;
});

afterAll(async () => {
  await db?.drop();
});

async function agent(name: string): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    "INSERT INTO agents (workspace_id, name) VALUES ($1, $2) RETURNING id",
    [workspaceId, name],
  );
  return rows[0]?.id as string;
}

async function claimed(agentId: string): Promise<Record<number, number>> {
  const { rows } = await db.pool.query<{ container: number; port: number }>(
    "SELECT container_port AS container, port FROM agent_host_ports WHERE agent_id = $1",
    [agentId],
  );
  return Object.fromEntries(rows.map((r) => [r.container, r.port]));
}

describe("agent host ports", () => {
  it("claims a third host port for a dashboard, keeps it across calls, and releases all three", async () => {
    const id = await agent("hermes-1");
    const ports = await agentHostPorts(db.pool, id, HERMES, RANGE);
    expect(ports.dashboard).not.toBeNull();
    expect(new Set([ports.contract, ports.gateway, ports.dashboard]).size).toBe(3);
    for (const port of [ports.contract, ports.gateway, ports.dashboard as number]) {
      expect(port).toBeGreaterThanOrEqual(RANGE.first);
      expect(port).toBeLessThanOrEqual(RANGE.last);
    }
    expect(await claimed(id)).toEqual({ 9090: ports.contract, 8642: ports.gateway, 9119: ports.dashboard });
    // A retried job gets the same ports back, claiming nothing new.
    expect(await agentHostPorts(db.pool, id, HERMES, RANGE)).toEqual(ports);

    await releaseAgentHostPorts(db.pool, id);
    expect(await claimed(id)).toEqual({});
    // Released ports are free for the next agent.
    const next = await agent("hermes-2");
    const again = await agentHostPorts(db.pool, next, HERMES, RANGE);
    expect([again.contract, again.gateway, again.dashboard].sort()).toEqual(
      [ports.contract, ports.gateway, ports.dashboard].sort(),
    );
    await releaseAgentHostPorts(db.pool, next);
  });

  it("claims no dashboard port for a family without one (dashboard: null)", async () => {
    const id = await agent("openclaw-1");
    const ports = await agentHostPorts(db.pool, id, OPENCLAW, RANGE);
    expect(ports.dashboard).toBeNull();
    expect(Object.keys(await claimed(id)).sort()).toEqual(["18789", "9090"]);
    await releaseAgentHostPorts(db.pool, id);
  });

  it("a range without room for the dashboard is exhausted, and deleting the agent frees its ports", async () => {
    const tight = { first: 41100, last: 41102 };
    const first = await agent("tight-1");
    await agentHostPorts(db.pool, first, HERMES, tight);
    expect(Object.keys(await claimed(first))).toHaveLength(3);
    const second = await agent("tight-2");
    await expect(agentHostPorts(db.pool, second, OPENCLAW, tight)).rejects.toBeInstanceOf(
      AllocationExhausted,
    );
    expect(await claimed(second)).toEqual({});
    await db.pool.query("DELETE FROM agents WHERE id = $1", [first]);
    expect(await claimed(first)).toEqual({});
    const ports = await agentHostPorts(db.pool, second, HERMES, tight);
    expect(ports.dashboard).toEqual(expect.any(Number));
  });
});
