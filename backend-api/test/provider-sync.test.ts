import { randomBytes } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { assembleRuntime } from "@nora/agent-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliverAssembly,
  makeRuntimeDirs,
  type RuntimeProcess,
  startRuntime,
  TOKEN,
  waitFor,
} from "../../agent-runtime/test/support.js";
import { insertAgent } from "./agent-fixtures.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

const PROVIDER_KEY = `sk-sync-canary-${randomBytes(8).toString("hex")}`;

/** Explicit provider sync, end to end: the API pushes to a real runtime server process (port 9090 contract). */
describe("sync-providers", () => {
  let app: TestApp;
  let runtime: RuntimeProcess;
  let owner: { id: string; cookie: string };
  let workspaceId: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    owner = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    const dirs = await makeRuntimeDirs();
    // The runtime as provisioning leaves it: an OpenClaw bootstrap with one initial provider.
    const assembly = assembleRuntime({
      agent: { agentId: "agt_sync", name: "sync", family: "openclaw" },
      secrets: { runtimeToken: TOKEN, gatewayToken: "g".repeat(40) },
      providers: [
        {
          id: "initial",
          api: "openai-completions",
          baseUrl: "http://127.0.0.1:1/v1",
          apiKey: "x",
          models: [{ id: "m" }],
        },
      ],
    });
    await deliverAssembly(dirs, assembly);
    runtime = await startRuntime({ dirs });
  });
  afterAll(async () => {
    await runtime.stop();
    await rm(runtime.dirs.base, { recursive: true, force: true });
    await app.close();
  });

  const agent = (status: string, runtimeUrl: string | null, token: string = TOKEN) =>
    insertAgent(app, { workspaceId, status, runtimeUrl, runtimeToken: token });
  const sync = (agentId: string) =>
    call(app, { cookie: owner.cookie }, "POST", `/api/agents/${agentId}/sync-providers`);

  it("pushes the workspace's providers to the agent's runtime, keys in memory only", async () => {
    const created = await call(
      app,
      { cookie: owner.cookie },
      "POST",
      `/api/workspaces/${workspaceId}/llm-providers`,
      {
        kind: "openai",
        name: "OpenAI",
        apiKey: PROVIDER_KEY,
        defaultModel: "gpt-test",
      },
    );
    expect(created.status).toBe(201);
    await call(app, { cookie: owner.cookie }, "POST", `/api/workspaces/${workspaceId}/llm-providers`, {
      kind: "anthropic",
      name: "No model yet",
      apiKey: "sk-ant-another-key-0000",
    });
    const agentId = await agent("running", runtime.url("/").replace(/\/$/, ""));
    const res = await sync(agentId);
    expect(res.status).toBe(200);
    const providerId = `openai-${(created.body.provider as { id: string }).id.slice(0, 8)}`;
    expect(res.body).toMatchObject({
      synced: true,
      providers: [{ id: providerId, kind: "openai", model: "gpt-test" }],
      skipped: [{ reason: "no_model" }],
      defaultModel: `${providerId}/gpt-test`,
    });
    expect(res.text).not.toContain(PROVIDER_KEY);

    // The runtime rendered it in OpenClaw's own format, the key kept out of the config file.
    const rendered = JSON.parse(await readFile(join(runtime.dirs.state, "config/openclaw.json"), "utf8"));
    expect(rendered.models.providers[providerId].baseUrl).toBe("https://api.openai.com/v1");
    expect(rendered.agents.defaults.model.primary).toBe(`${providerId}/gpt-test`);
    expect(JSON.stringify(rendered)).not.toContain(PROVIDER_KEY);
    const material = join(runtime.dirs.state, "nora/providers.json");
    expect((await stat(material)).mode & 0o777).toBe(0o600);
    expect(await readFile(material, "utf8")).toContain(PROVIDER_KEY);

    const audit = await app.db.pool.query(
      "SELECT metadata FROM audit_log WHERE action = 'agent.providers_synced'",
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows)).not.toContain(PROVIDER_KEY);
    expect(app.logs.text).not.toContain(PROVIDER_KEY);
  });

  it("pushes only the providers the agent was given, never another provider's key", async () => {
    const chosen = await call(
      app,
      { cookie: owner.cookie },
      "POST",
      `/api/workspaces/${workspaceId}/llm-providers`,
      {
        kind: "mistral",
        name: "Chosen",
        apiKey: `sk-chosen-${randomBytes(8).toString("hex")}`,
        defaultModel: "mistral-test",
      },
    );
    const otherKey = `sk-not-for-this-agent-${randomBytes(8).toString("hex")}`;
    await call(app, { cookie: owner.cookie }, "POST", `/api/workspaces/${workspaceId}/llm-providers`, {
      kind: "groq",
      name: "Not chosen",
      apiKey: otherKey,
      defaultModel: "groq-test",
    });
    const chosenId = (chosen.body.provider as { id: string }).id;
    const agentId = await agent("running", runtime.url("/").replace(/\/$/, ""));
    await app.db.pool.query("UPDATE agents SET provider_ids = $2 WHERE id = $1", [agentId, [chosenId]]);
    const res = await sync(agentId);
    expect(res.status).toBe(200);
    expect((res.body.providers as Array<{ id: string }>).map((p) => p.id)).toEqual([
      `mistral-${chosenId.slice(0, 8)}`,
    ]);
    const material = await readFile(join(runtime.dirs.state, "nora/providers.json"), "utf8");
    expect(material).not.toContain(otherKey);
  });

  it("refuses an agent that is not running", async () => {
    const res = await sync(await agent("stopped", null));
    expect(res.status).toBe(409);
    expect(res.body.error).toBe("agent_not_running");
  });

  it("reports a runtime that refuses the agent's token", async () => {
    const res = await sync(await agent("running", runtime.url("/").replace(/\/$/, ""), "w".repeat(64)));
    expect(res.status).toBe(502);
    expect(res.body.error).toBe("runtime_sync_failed");
  });

  it("sends the API's request id to the runtime, which logs it with its refusal", async () => {
    const res = await sync(await agent("running", runtime.url("/").replace(/\/$/, ""), "v".repeat(64)));
    expect(res.status).toBe(502);
    const requestId = res.headers.get("x-request-id") as string;
    expect(res.body).toMatchObject({ error: "runtime_sync_failed", requestId });
    await waitFor(() =>
      runtime
        .output()
        .includes(`"requestId":"${requestId}","method":"POST","path":"/providers/sync","status":401`)
        ? true
        : undefined,
    );
    expect(app.logs.text).not.toContain("v".repeat(64));
  });

  it("reports a runtime that cannot be reached as runtime_unreachable", async () => {
    const closed = createServer();
    const port = await new Promise<number>((resolve) =>
      closed.listen(0, "127.0.0.1", () => resolve((closed.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => closed.close(resolve));
    const res = await sync(await agent("running", `http://127.0.0.1:${port}`));
    expect(res.status).toBe(502);
    expect(res.body.error).toBe("runtime_unreachable");
    expect(res.text).not.toContain(String(port));
  });

  it("never calls a runtime address outside GATEWAY_ALLOWED_CIDRS", async () => {
    const strict = await startTestApp({
      db: app.db,
      config: { ...app.config, network: { ...app.config.network, gatewayAllowedCidrs: ["10.0.0.0/8"] } },
    });
    try {
      const res = await call(
        strict,
        { cookie: owner.cookie },
        "POST",
        `/api/agents/${await agent("running", runtime.url("/").replace(/\/$/, ""))}/sync-providers`,
      );
      expect(res.status).toBe(409);
      expect(res.body.error).toBe("runtime_address_not_allowed");
    } finally {
      await strict.close();
    }
  });
});
