import { hermesDashboardCredential } from "@nora/agent-runtime";
import { startTestLlm, type TestLlm } from "@nora/agent-runtime/testing";
import { Keyring, openSealed } from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentStream, openAgentStream, statusIs } from "./agent-stream.js";
import { call } from "./identity.js";
import {
  buildImage,
  deployingOwner,
  docker,
  dockerBridgeAddress,
  dockerInspect,
  type ProvisioningStack,
  startProvisioningStack,
} from "./provisioning-harness.js";

/**
 * End to end for the second family: an API key deploys `family: hermes`; the real provisioner runs
 * the real Hermes image (hermes-agent from PyPI) on the real engine; it reaches `running` on its own
 * readiness (API server, then dashboard); chat goes to the test LLM (an OpenAI-compatible fake: no
 * real provider is reachable here), which listens on the host's docker0 address so the agent's own
 * network reaches it; a provider change reaches the agent through Nora's provider sync.
 */
interface Inspect {
  Config: { Env: string[] };
  HostConfig: { PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> };
}

let stack: ProvisioningStack;
let llm: TestLlm;
let apiKey: string;
let ownerCookie: string;
let workspaceId: string;
let providerId: string;
let stream: AgentStream | undefined;
let agentId = "";
const LLM_KEY = `sk-test-${Date.now().toString(36)}-hermes-e2e`;

const asKey = (method: string, path: string, body?: unknown) =>
  call(stack.app, { apiKey }, method, path, body);

async function agentRow() {
  const { rows } = await stack.db.pool.query<{
    gatewayUrl: string;
    dashboardUrl: string | null;
    sealed: string;
  }>(
    `SELECT gateway_url AS "gatewayUrl", dashboard_url AS "dashboardUrl", gateway_token_sealed AS sealed
       FROM agents WHERE id = $1`,
    [agentId],
  );
  const row = rows[0];
  if (!row) throw new Error("agent row missing");
  const gatewayToken = openSealed(Keyring.fromConfig(stack.app.config), row.sealed, {
    table: "agents",
    column: "gateway_token_sealed",
    rowId: agentId,
  }).value;
  return { ...row, gatewayToken };
}

async function chatTurn(content: string) {
  const { gatewayUrl, gatewayToken } = await agentRow();
  const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${gatewayToken}` },
    body: JSON.stringify({ model: "hermes-agent", messages: [{ role: "user", content }] }),
    signal: AbortSignal.timeout(150_000),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return llm.requests.find((r) => r.userMessages.some((m) => m.includes(content)));
}

beforeAll(async () => {
  const image = await buildImage("infra/images/build-hermes-offline.sh", 45 * 60_000);
  expect(image).toMatch(/^nora-runtime-hermes:[0-9a-f]{16}$/);
  const bridge = await dockerBridgeAddress();
  llm = await startTestLlm({
    host: bridge,
    apiKey: LLM_KEY,
    models: ["nora-test-model", "nora-test-model-2"],
  });
  stack = await startProvisioningStack({
    image,
    // The test LLM's private host address has to be allowlisted, as an operator's would be.
    env: {
      AGENT_IMAGE_HERMES: image,
      DEPLOYMENT_READY_ATTEMPTS: "240",
      NORA_OUTBOUND_ALLOWED_CIDRS: `${bridge}/32`,
    },
  });
  ({ cookie: ownerCookie, workspaceId, apiKey } = await deployingOwner(stack.app));
  const provider = await call(
    stack.app,
    { cookie: ownerCookie },
    "POST",
    `/api/workspaces/${workspaceId}/llm-providers`,
    {
      kind: "openai_compatible",
      name: "Test LLM",
      baseUrl: `${llm.url}/v1`,
      apiKey: LLM_KEY,
      defaultModel: "nora-test-model",
      isDefault: true,
    },
  );
  expect(provider.status, JSON.stringify(provider.body)).toBe(201);
  providerId = (provider.body.provider as { id: string }).id;
}, 50 * 60_000);

afterAll(async () => {
  stream?.close();
  await stack?.close();
  await llm?.close();
});

describe("Hermes end to end (API key → API → provisioner → Docker → hermes-agent → test LLM)", () => {
  it("deploys family hermes and reports running once its API server and dashboard answer", {
    timeout: 600_000,
  }, async () => {
    const deploy = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "e2e-hermes",
      family: "hermes",
      template: { "AGENTS.md": "# e2e hermes agent\n" },
    });
    expect(deploy.status, JSON.stringify(deploy.body)).toBe(202);
    agentId = (deploy.body.agent as { id: string }).id;
    stream = await openAgentStream(`${stack.app.url}/api/agents/${agentId}/events`, apiKey);
    const ready = await stream.until(statusIs("running", "warning", "failed", "error"), 300_000);
    expect(ready.metadata.to, ready.message).toBe("running");
    const agent = await asKey("GET", `/api/agents/${agentId}`);
    expect(agent.body.agent).toMatchObject({ status: "running", family: "hermes" });

    const containers = await stack.containersOf(agentId);
    expect(containers).toHaveLength(1);
    const inspect = await dockerInspect<Inspect>(containers[0] as string);
    const bindings = Object.values(inspect.HostConfig.PortBindings).flat();
    expect(bindings).toHaveLength(3); // 9090, the API server 8642, the dashboard 9119
    for (const binding of bindings) expect(binding.HostIp).toBe("127.0.0.1");
    const { gatewayToken, dashboardUrl } = await agentRow();
    expect(dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Nothing secret in the container's environment listing.
    const env = JSON.stringify(inspect.Config.Env);
    for (const secret of [gatewayToken, LLM_KEY, hermesDashboardCredential(gatewayToken).password]) {
      expect(env).not.toContain(secret);
    }
  });

  it("answers a chat turn from the workspace's provider, with its key", { timeout: 300_000 }, async () => {
    const turn = await chatTurn(`hello from Nora ${Date.now()}`);
    expect(turn).toMatchObject({ authorized: true, model: "nora-test-model" });
  });

  it("lets only its credential into the dashboard", { timeout: 60_000 }, async () => {
    const { dashboardUrl, gatewayToken } = await agentRow();
    expect((await fetch(`${dashboardUrl}/api/config`)).status).toBe(401);
    const login = await fetch(`${dashboardUrl}/auth/password-login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "basic", ...hermesDashboardCredential(gatewayToken) }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect((await fetch(`${dashboardUrl}/api/config`, { headers: { cookie } })).status).toBe(200);
  });

  it("a provider change reaches it through Nora's provider sync: the next turn uses the new model", {
    timeout: 300_000,
  }, async () => {
    // Providers are managed by signed-in members (no API key scope covers them).
    const update = await call(
      stack.app,
      { cookie: ownerCookie },
      "PATCH",
      `/api/workspaces/${workspaceId}/llm-providers/${providerId}`,
      { defaultModel: "nora-test-model-2" },
    );
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    const sync = await asKey("POST", `/api/agents/${agentId}/sync-providers`);
    expect(sync.status, JSON.stringify(sync.body)).toBe(200);
    let turn: Awaited<ReturnType<typeof chatTurn>>;
    // Both Hermes processes restart on a sync; the API server answers again within seconds.
    for (let attempt = 0; ; attempt++) {
      try {
        turn = await chatTurn(`after sync ${Date.now()}`);
        break;
      } catch (error) {
        if (attempt >= 60) throw error;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    expect(turn).toMatchObject({ authorized: true, model: "nora-test-model-2" });
    expect(stack.app.logs.text).not.toContain(LLM_KEY);
  });

  it("deletes it: nothing of it is left on the engine", { timeout: 300_000 }, async () => {
    expect((await asKey("DELETE", `/api/agents/${agentId}`)).status).toBe(202);
    await expect
      .poll(async () => (await asKey("GET", `/api/agents/${agentId}`)).status, {
        timeout: 120_000,
        interval: 250,
      })
      .toBe(404);
    expect(await stack.containersOf(agentId)).toEqual([]);
    expect(await docker(["volume", "ls", "-q", "--filter", `name=nora-agent-${agentId}`])).toBe("");
  });
});
