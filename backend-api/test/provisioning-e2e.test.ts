import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentStream, openAgentStream, statusIs } from "./agent-stream.js";
import { call } from "./identity.js";
import {
  buildImage,
  deployingOwner,
  docker,
  dockerInspect,
  type ProvisioningStack,
  startProvisioningStack,
} from "./provisioning-harness.js";

/**
 * End to end, as a script drives Nora: an `agents:write` API key deploys an agent; the real
 * provisioner (its own process) runs the real OpenClaw runtime image on the real Docker engine; the
 * agent's status arrives on the event stream; then every lifecycle action, and delete.
 */
interface Inspect {
  Config: { User: string; Hostname: string; Labels: Record<string, string> };
  HostConfig: {
    CapDrop: string[] | null;
    CapAdd: string[] | null;
    SecurityOpt: string[] | null;
    ReadonlyRootfs: boolean;
    Memory: number;
    NanoCpus: number;
    PidsLimit: number;
    PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    Privileged: boolean;
  };
  NetworkSettings: { Networks: Record<string, unknown> };
  Mounts: Array<{ Destination: string; RW: boolean; Name?: string; Type: string }>;
}

let stack: ProvisioningStack;
let apiKey: string;
let workspaceId: string;
let stream: AgentStream;
let agentId = "";

const asKey = (method: string, path: string, body?: unknown) =>
  call(stack.app, { apiKey }, method, path, body);

/** The next status change to one of `statuses` after the stream's newest event so far. */
function nextStatus(...statuses: string[]) {
  const after = stream.events.at(-1)?.id ?? "0";
  return stream.until((event) => statusIs(...statuses)(event, after), 180_000);
}

beforeAll(async () => {
  const image = await buildImage("infra/images/build-openclaw-offline.sh");
  stack = await startProvisioningStack({ image, env: { DEPLOYMENT_READY_ATTEMPTS: "240" } });
  ({ workspaceId, apiKey } = await deployingOwner(stack.app));
}, 25 * 60_000);

afterAll(async () => {
  stream?.close();
  await stack?.close();
});

describe("provisioning end to end (API key → API → queue → provisioner → Docker → OpenClaw)", () => {
  it("deploys a hardened OpenClaw runtime and reports running on the event stream", {
    timeout: 600_000,
  }, async () => {
    const deploy = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "e2e-openclaw",
      memoryMb: 2048,
      vcpu: 1,
      template: { "AGENTS.md": "# e2e agent\n" },
    });
    expect(deploy.status).toBe(202);
    agentId = (deploy.body.agent as { id: string }).id;
    expect((deploy.body.deployment as { status: string }).status).toBe("queued");

    stream = await openAgentStream(`${stack.app.url}/api/agents/${agentId}/events`, apiKey);
    const ready = await stream.until(statusIs("running", "warning", "failed", "error"), 240_000);
    expect(ready.metadata.to, ready.message).toBe("running");
    expect(stream.events.filter((e) => e.type === "agent.status_changed").map((e) => e.metadata.to)).toEqual([
      "provisioning",
      "starting",
      "running",
    ]);

    const containers = await stack.containersOf(agentId);
    expect(containers).toHaveLength(1);
    const inspect = await dockerInspect<Inspect>(containers[0] as string);
    expect(inspect.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(inspect.HostConfig.CapAdd ?? []).toEqual([]);
    expect(inspect.HostConfig.Privileged).toBe(false);
    expect(inspect.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(inspect.HostConfig.ReadonlyRootfs).toBe(true);
    expect(inspect.Config.User).toBe("1000:1000");
    expect(inspect.Config.Hostname).toBe("nora-runtime");
    expect(inspect.HostConfig.Memory).toBe(2048 * 1024 * 1024);
    expect(inspect.HostConfig.NanoCpus).toBe(1_000_000_000);
    expect(inspect.HostConfig.PidsLimit).toBeGreaterThan(0);
    const bindings = Object.values(inspect.HostConfig.PortBindings).flat();
    expect(bindings.length).toBe(2);
    for (const binding of bindings) expect(binding.HostIp).toBe("127.0.0.1");
    expect(Object.keys(inspect.NetworkSettings.Networks)).toEqual([`nora-agent-${agentId}`]);
    expect(inspect.Mounts.find((m) => m.Destination === "/etc/nora")?.RW).toBe(false);
    expect(inspect.Mounts.find((m) => m.Destination === "/run/nora/secrets")?.RW).toBe(false);

    const { rows } = await stack.db.pool.query<{ runtimeUrl: string }>(
      `SELECT runtime_url AS "runtimeUrl" FROM agents WHERE id = $1`,
      [agentId],
    );
    expect((await fetch(`${rows[0]?.runtimeUrl}/health`)).status).toBe(200);
    const agent = await asKey("GET", `/api/agents/${agentId}`);
    expect(agent.body.agent).toMatchObject({ status: "running", revision: 1 });
    expect(JSON.stringify(agent.body)).not.toContain(rows[0]?.runtimeUrl);
  });

  it("stops, starts and restarts it", { timeout: 600_000 }, async () => {
    expect((await asKey("POST", `/api/agents/${agentId}/stop`)).status).toBe(202);
    expect((await nextStatus("stopped", "failed", "error")).metadata.to).toBe("stopped");
    const inspect = await dockerInspect<{ State: { Running: boolean } }>(`nora-agent-${agentId}`);
    expect(inspect.State.Running).toBe(false);

    expect((await asKey("POST", `/api/agents/${agentId}/start`)).status).toBe(202);
    expect((await nextStatus("running", "warning", "failed", "error")).metadata.to).toBe("running");

    expect((await asKey("POST", `/api/agents/${agentId}/restart`)).status).toBe(202);
    expect((await nextStatus("running", "warning", "failed", "error")).metadata.to).toBe("running");
    expect(await stack.containersOf(agentId)).toHaveLength(1);
  });

  it("redeploys a new revision and rolls back to the first; history names each revision", {
    timeout: 600_000,
  }, async () => {
    const redeploy = await asKey("POST", `/api/agents/${agentId}/redeploy`, {
      template: { "AGENTS.md": "# e2e agent, revision 2\n" },
    });
    expect(redeploy.status).toBe(202);
    expect((redeploy.body.deployment as { revision: number }).revision).toBe(2);
    expect((await nextStatus("running", "warning", "failed", "error")).metadata.to).toBe("running");
    const second = await dockerInspect<Inspect>(`nora-agent-${agentId}`);

    const rollback = await asKey("POST", `/api/agents/${agentId}/rollback`, { revision: 1 });
    expect(rollback.status).toBe(202);
    expect((await nextStatus("running", "warning", "failed", "error")).metadata.to).toBe("running");
    const first = await dockerInspect<Inspect>(`nora-agent-${agentId}`);
    const revisions = await asKey("GET", `/api/agents/${agentId}/revisions`);
    const byNumber = new Map(
      (revisions.body.revisions as Array<{ number: number; id: string }>).map((r) => [r.number, r.id]),
    );
    expect(second.Config.Labels["nora.revision.id"]).toBe(byNumber.get(2));
    expect(first.Config.Labels["nora.revision.id"]).toBe(byNumber.get(1));

    const history = await asKey("GET", `/api/agents/${agentId}/deployments`);
    const runs = (history.body.deployments as Array<{ action: string; revision: number; status: string }>)
      .map((d) => `${d.action}:${d.revision}:${d.status}`)
      .reverse();
    expect(runs).toEqual([
      "deploy:1:succeeded",
      "stop:1:succeeded",
      "start:1:succeeded",
      "restart:1:succeeded",
      "redeploy:2:succeeded",
      "rollback:1:succeeded",
    ]);
    expect(await stack.containersOf(agentId)).toHaveLength(1);
  });

  it("deletes it: container, network and volumes gone", { timeout: 600_000 }, async () => {
    expect((await asKey("DELETE", `/api/agents/${agentId}`)).status).toBe(202);
    await expect
      .poll(async () => (await asKey("GET", `/api/agents/${agentId}`)).status, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe(404);
    expect(await stack.containersOf(agentId)).toEqual([]);
    expect(await docker(["volume", "ls", "-q", "--filter", `name=nora-agent-${agentId}`])).toBe("");
    expect(await docker(["network", "ls", "-q", "--filter", `name=nora-agent-${agentId}`])).toBe("");
    const events = await asKey(
      "GET",
      `/api/workspaces/${workspaceId}/events?agentId=${agentId}&type=agent.deleted`,
    );
    expect((events.body.events as unknown[]).length).toBe(1);
  });
});
