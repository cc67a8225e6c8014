import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hermesDashboardCredential } from "../src/bootstrap/hermes.js";
import { HERMES_API_MODEL, HERMES_PROBES } from "../src/endpoints.js";
import { assembleRuntime } from "../src/environment.js";
import { RUNTIME_LAYOUT, RUNTIME_UID } from "../src/layout.js";
import { RUNTIME_PORTS } from "../src/ports.js";
import { TEST_LLM_EXEC_TRIGGER, TEST_LLM_MARKER } from "../src/testing/test-llm.js";
import { docker } from "./docker.js";
import {
  type ImageRuntime,
  imageSuite,
  imageSuiteNote,
  offlineImage,
  quickProbe,
  startImageRuntime,
  TEST_LLM_BASE_URL,
  terminalRoundTrip,
} from "./runtime-image.js";
import { waitFor } from "./support.js";

/**
 * The real Hermes runtime image (hermes-agent from PyPI, hash-pinned), built offline or reused by its
 * content hash, run with the provisioner's hardening beside the test LLM (an OpenAI-compatible fake:
 * no real provider is reachable here). Chat goes through Hermes' own API server; its dashboard is
 * reached with the per-agent login Nora derives.
 */
const id = randomBytes(4).toString("hex");
const LLM_KEY = `sk-test-${randomBytes(12).toString("hex")}`;
const RUNTIME_TOKEN = randomBytes(32).toString("hex");
const GATEWAY_TOKEN = randomBytes(32).toString("hex");
const DASHBOARD = hermesDashboardCredential(GATEWAY_TOKEN);
const API = RUNTIME_PORTS.hermesApi;
const UI = RUNTIME_PORTS.hermesDashboard;

const testProvider = (models: string[]) => ({
  id: "testllm",
  api: "openai-completions" as const,
  baseUrl: TEST_LLM_BASE_URL,
  apiKey: LLM_KEY,
  models: models.map((model) => ({ id: model, contextWindow: 128000, maxTokens: 4096 })),
});

imageSuite(`Hermes runtime image${imageSuiteNote}`, () => {
  let runtime: ImageRuntime;
  let assemblySecrets: string[] = [];
  const call = (path: string, init?: RequestInit) => runtime.call(path, init);
  const api = (path: string) => `http://127.0.0.1:${runtime.ports[API]}${path}`;
  const ui = (path: string) => `http://127.0.0.1:${runtime.ports[UI]}${path}`;

  const chat = (content: string, key = GATEWAY_TOKEN) =>
    fetch(api("/v1/chat/completions"), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: HERMES_API_MODEL, messages: [{ role: "user", content }] }),
      signal: AbortSignal.timeout(150_000),
    });

  const execute = async (script: string) =>
    (await (await runtime.post("/exec", { argv: ["sh", "-c", script] })).json()) as {
      stdout: string;
      stderr: string;
      exitCode: number;
    };

  beforeAll(async () => {
    const image = await offlineImage(
      "build-hermes-offline.sh",
      "nora-runtime-hermes",
      process.env.NORA_HERMES_IMAGE,
    );
    const assembly = assembleRuntime({
      agent: {
        agentId: `agt_${id}`,
        name: "Hermes image test agent",
        family: "hermes",
        template: { "AGENTS.md": "# Hermes image test agent\n" },
      },
      secrets: { runtimeToken: RUNTIME_TOKEN, gatewayToken: GATEWAY_TOKEN },
      providers: [testProvider(["nora-test-model", "nora-test-model-2"])],
    });
    const agentEnv = JSON.parse(
      assembly.secretFiles.find((f) => f.path === "agent-env.json")?.content ?? "{}",
    ) as Record<string, string>;
    assemblySecrets = [RUNTIME_TOKEN, GATEWAY_TOKEN, LLM_KEY, DASHBOARD.password, ...Object.values(agentEnv)];
    runtime = await startImageRuntime({
      image,
      assembly,
      runtimeToken: RUNTIME_TOKEN,
      llmKey: LLM_KEY,
      ports: [API, UI],
    });
  }, 45 * 60_000);

  afterAll(async () => {
    await runtime?.close();
  }, 60_000);

  const ready = async () => {
    for (const url of [api(HERMES_PROBES.apiHealth), ui(HERMES_PROBES.dashboardStatus)]) {
      await waitFor(
        async () => ((await fetch(url, quickProbe()).catch(() => null))?.ok ? true : undefined),
        120_000,
      );
    }
  };

  it("keeps every secret out of the container's configuration and the image", async () => {
    const inspect = await docker(["inspect", runtime.container]);
    for (const secret of assemblySecrets) expect(inspect).not.toContain(secret);
    const [config] = JSON.parse(inspect) as [
      { Image: string; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] } },
    ];
    expect(config.HostConfig.ReadonlyRootfs).toBe(true);
    expect(config.HostConfig.CapDrop).toEqual(["ALL"]);
    const imageEnv = JSON.parse(
      await docker(["image", "inspect", "--format", "{{json .Config.Env}}", config.Image]),
    );
    expect(
      (imageEnv as string[]).filter((entry) => /KEY|TOKEN|SECRET|PASSWORD/.test(entry.split("=")[0] ?? "")),
    ).toEqual([]);
  });

  it("reaches running: the runtime server, then the API server's /health, then the dashboard", async () => {
    await ready();
    const health = (await (await fetch(api(HERMES_PROBES.apiHealth))).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: "ok", platform: "hermes-agent" });
    const metrics = (await (await call("/metrics")).json()) as Record<string, unknown>;
    expect(metrics).toMatchObject({
      agent: { state: "running" },
      dashboardProcess: { state: "running" },
      gateway: { reachable: true },
      dashboard: { reachable: true },
    });
  }, 180_000);

  it("reports /info with the installed Hermes version", async () => {
    const info = (await (await call("/info")).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      family: "hermes",
      agentId: `agt_${id}`,
      versions: { node: "24.21.0", agent: "0.19.0" },
    });
  });

  it("runs as the unprivileged user on a read-only root, with no .env baked into the image", async () => {
    const result = await execute(
      "id -u; touch /opt/hermes/x 2>&1; find /opt /etc /usr/local -name .env 2>/dev/null | wc -l",
    );
    const [uid, touch, envFiles] = result.stdout.trim().split("\n");
    expect(uid).toBe(String(RUNTIME_UID));
    expect(touch).toMatch(/Read-only file system/);
    expect(envFiles).toBe("0");
  });

  it("opens an interactive terminal: `echo hello` as the runtime user in the workspace, then exit 0", async () => {
    const { output, exit } = await terminalRoundTrip(
      runtime.ports[9090] as number,
      RUNTIME_TOKEN,
      "echo hel''lo; id -u; pwd; stty size",
    );
    expect(exit).toEqual({ type: "exit", code: 0, signal: null });
    expect(output).toMatch(/[\r\n]hello\r\n/);
    expect(output).toContain(`\n${RUNTIME_UID}\r\n`);
    expect(output).toContain(`\n${RUNTIME_LAYOUT.workspace}\r\n`);
    expect(output).toContain("\n40 120\r\n");
  });

  it("answers one chat turn through its API server from the test LLM, with the key from the secret environment", async () => {
    await ready();
    expect((await chat("hello", "wrong-key".padEnd(40, "x"))).status).toBe(401);
    const nonce = `nonce-${randomBytes(6).toString("hex")}`;
    const response = await chat(`Say hello. ${nonce}`);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const reply = (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message
      .content;
    expect(reply).toContain(`${TEST_LLM_MARKER}: Say hello. ${nonce}`);
    const turn = (await runtime.llmRequests()).find((r) => r.userMessages.some((m) => m.includes(nonce)));
    expect(turn).toMatchObject({ authorized: true, model: "nora-test-model" });
  }, 180_000);

  it("runs a tool call: the test LLM asks for Hermes' terminal tool, Hermes runs it in the workspace", async () => {
    const nonce = `tool-${randomBytes(6).toString("hex")}`;
    const response = await chat(
      `Run it.\n${TEST_LLM_EXEC_TRIGGER} echo ${nonce} > tool-proof.txt && echo wrote-${nonce}`,
    );
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).toContain(`${TEST_LLM_MARKER}: tool result:`);
    expect(text).toContain(`wrote-${nonce}`);
    const proof = (await (await call("/files/content?root=workspace&path=tool-proof.txt")).json()) as {
      content: string;
    };
    expect(proof.content.trim()).toBe(nonce);
    const metrics = (await (await call("/metrics")).json()) as { agent: { state: string; restarts: number } };
    expect(metrics.agent).toMatchObject({ state: "running", restarts: 0 });
  }, 180_000);

  it("lets only the derived login into the dashboard", async () => {
    await ready();
    expect((await fetch(ui("/api/config"))).status).toBe(401);
    const login = (password: string) =>
      fetch(ui("/auth/password-login"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ provider: "basic", username: DASHBOARD.username, password }),
      });
    expect((await login("not-the-password")).status).toBe(401);
    const ok = await login(DASHBOARD.password);
    expect(ok.status).toBe(200);
    const cookies = ok.headers.getSetCookie().map((cookie) => cookie.split(";")[0]);
    expect(cookies.length).toBeGreaterThan(0);
    const config = await fetch(ui("/api/config"), { headers: { cookie: cookies.join("; ") } });
    expect(config.status).toBe(200);
  });

  it("applies a provider sync: the config is rewritten, both processes restart, the next turn uses the new model", async () => {
    const sync = await runtime.post("/providers/sync", {
      providers: [testProvider(["nora-test-model", "nora-test-model-2"])],
      defaultModel: "testllm/nora-test-model-2",
    });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toMatchObject({ applied: true, restarted: true });
    await waitFor(async () => {
      const metrics = (await (await call("/metrics")).json()) as {
        agent: { restarts: number };
        gateway: { reachable: boolean };
      };
      return metrics.agent.restarts === 1 && metrics.gateway.reachable ? true : undefined;
    }, 120_000);
    await ready();
    const nonce = `synced-${randomBytes(6).toString("hex")}`;
    const response = await chat(`Which model? ${nonce}`);
    expect(response.status, await response.clone().text()).toBe(200);
    const turn = (await runtime.llmRequests()).find((r) => r.userMessages.some((m) => m.includes(nonce)));
    expect(turn).toMatchObject({ authorized: true, model: "nora-test-model-2" });
  }, 240_000);

  it("comes back after the container restarts (no stale lock in the state volume keeps it down)", async () => {
    await docker(["restart", "--timeout", "20", runtime.container], 120_000);
    await runtime.refreshPorts();
    await waitFor(async () => ((await call("/health").catch(() => null))?.ok ? true : undefined), 60_000);
    await ready();
    const response = await chat("after restart");
    expect(response.status, await response.clone().text()).toBe(200);
  }, 240_000);

  it("keeps secrets out of both processes' logs and Hermes' own log files", async () => {
    const agentLog = await (await call("/logs?tail=2000")).text();
    const dashboardLog = await (await call("/logs?process=dashboard&tail=2000")).text();
    expect(agentLog.length).toBeGreaterThan(0);
    expect(dashboardLog.length).toBeGreaterThan(0);
    const hermesLogs = await execute(`cat ${RUNTIME_LAYOUT.state}/hermes/logs/* 2>/dev/null || true`);
    for (const text of [agentLog, dashboardLog, hermesLogs.stdout]) {
      for (const secret of assemblySecrets) expect(text).not.toContain(secret);
    }
  });
});
