import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { OPENCLAW_GATEWAY_MODEL } from "../src/endpoints.js";
import { assembleRuntime } from "../src/environment.js";
import { RUNTIME_LAYOUT, RUNTIME_UID } from "../src/layout.js";
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
 * The real OpenClaw runtime image, built offline (or reused from the cache by its content hash),
 * run with the provisioner's hardening, with a test LLM in a second container on a private network.
 */
const id = randomBytes(4).toString("hex");
const LLM_KEY = `sk-test-${randomBytes(12).toString("hex")}`;
const RUNTIME_TOKEN = randomBytes(32).toString("hex");
const GATEWAY_TOKEN = randomBytes(32).toString("hex");

imageSuite(`OpenClaw runtime image${imageSuiteNote}`, () => {
  let runtime: ImageRuntime;
  let contract = 0;
  let gateway = 0;
  const call = (path: string, init?: RequestInit) => runtime.call(path, init);
  const post = (path: string, body: unknown, method?: string) => runtime.post(path, body, method);

  beforeAll(async () => {
    // NORA_RUNTIME_IMAGE runs the same checks against another build, e.g. openclaw.Dockerfile's.
    const image = await offlineImage(
      "build-openclaw-offline.sh",
      "nora-runtime-openclaw",
      process.env.NORA_RUNTIME_IMAGE,
    );
    const assembly = assembleRuntime({
      agent: {
        agentId: `agt_${id}`,
        name: "Image test agent",
        family: "openclaw",
        template: { "AGENTS.md": "# Image test agent\nAnswer briefly.\n" },
      },
      secrets: { runtimeToken: RUNTIME_TOKEN, gatewayToken: GATEWAY_TOKEN },
      providers: [
        {
          id: "testllm",
          api: "openai-completions",
          baseUrl: TEST_LLM_BASE_URL,
          apiKey: LLM_KEY,
          models: [{ id: "nora-test-model", contextWindow: 128000, maxTokens: 4096 }],
        },
      ],
    });
    runtime = await startImageRuntime({
      image,
      assembly,
      runtimeToken: RUNTIME_TOKEN,
      llmKey: LLM_KEY,
      ports: [18789],
    });
    contract = runtime.ports[9090] ?? 0;
    gateway = runtime.ports[18789] ?? 0;
  }, 25 * 60_000);

  afterAll(async () => {
    await runtime?.close();
  }, 60_000);

  it("keeps secrets out of the container's configuration", async () => {
    const inspect = await docker(["inspect", runtime.container]);
    for (const secret of [RUNTIME_TOKEN, GATEWAY_TOKEN, LLM_KEY]) expect(inspect).not.toContain(secret);
    const [config] = JSON.parse(inspect) as [{ HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] } }];
    expect(config.HostConfig.ReadonlyRootfs).toBe(true);
    expect(config.HostConfig.CapDrop).toEqual(["ALL"]);
  });

  it("answers /health on 9090 and the gateway on 18789", async () => {
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${contract}/health`, quickProbe()).catch(() => null))?.ok
          ? true
          : undefined,
      60_000,
    );
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${gateway}/healthz`, quickProbe()).catch(() => null))?.ok
          ? true
          : undefined,
      120_000,
    );
    const metrics = (await (await call("/metrics")).json()) as {
      gateway: { reachable: boolean };
      agent: { state: string };
    };
    expect(metrics).toMatchObject({ gateway: { reachable: true }, agent: { state: "running" } });
  }, 180_000);

  it("reports /info with the real versions and the container's limits", async () => {
    const info = (await (await call("/info")).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      family: "openclaw",
      agentId: `agt_${id}`,
      versions: { node: "24.21.0", agent: "2026.9.6" },
      memory: { cgroupLimitBytes: 2 * 1024 ** 3 },
    });
  });

  it("serves files: the seeded workspace, writes, and read-only roots", async () => {
    const tree = (await (await call("/files/tree?root=workspace")).json()) as { entries: { name: string }[] };
    expect(tree.entries.map((e) => e.name)).toContain("AGENTS.md");
    const put = await post(
      "/files/content",
      { root: "workspace", path: "notes/hello.txt", content: "hi" },
      "PUT",
    );
    expect(put.status).toBe(404); // the parent must exist
    expect((await post("/files/mkdir", { root: "workspace", path: "notes" })).status).toBe(201);
    expect(
      (await post("/files/content", { root: "workspace", path: "notes/hello.txt", content: "hi" }, "PUT"))
        .status,
    ).toBe(200);
    const content = (await (await call("/files/content?root=workspace&path=notes/hello.txt")).json()) as {
      content: string;
    };
    expect(content.content).toBe("hi");
    const config = (await (await call("/files/content?root=config&path=openclaw.json")).json()) as {
      content: string;
    };
    expect(config.content).toContain(TEST_LLM_BASE_URL);
    expect(config.content).not.toContain(LLM_KEY);
    expect((await post("/files/content", { root: "config", path: "x", content: "" }, "PUT")).status).toBe(
      403,
    );
    expect((await call("/files/content?root=workspace&path=../../etc/passwd")).status).toBe(400);
  });

  it("runs /exec as the unprivileged user on a read-only root", async () => {
    const result = (await (
      await post("/exec", { argv: ["sh", "-c", "id -u; touch /opt/x 2>&1; pwd"] })
    ).json()) as {
      stdout: string;
      exitCode: number;
    };
    const [uid, touch, pwd] = result.stdout.trim().split("\n");
    expect(uid).toBe(String(RUNTIME_UID));
    expect(touch).toMatch(/Read-only file system/);
    expect(pwd).toBe(RUNTIME_LAYOUT.workspace);
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

  it("sends one chat turn through the OpenClaw gateway to the test LLM and back", async () => {
    const nonce = `nonce-${randomBytes(6).toString("hex")}`;
    const response = await fetch(`http://127.0.0.1:${gateway}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${GATEWAY_TOKEN}` },
      body: JSON.stringify({
        model: OPENCLAW_GATEWAY_MODEL,
        stream: false,
        messages: [{ role: "user", content: `Say hello. ${nonce}` }],
      }),
      signal: AbortSignal.timeout(150_000),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const body = JSON.parse(text) as { choices: { message: { content: string } }[] };
    const reply = body.choices[0]?.message.content ?? "";
    expect(reply).toContain(TEST_LLM_MARKER);

    const turn = (await runtime.llmRequests()).find((r) => r.userMessages.some((m) => m.includes(nonce)));
    // The key reached OpenClaw through the secret environment, never through the config file.
    expect(turn).toMatchObject({ authorized: true, model: "nora-test-model" });
  }, 180_000);

  it("runs a tool call: the test LLM asks for exec, the gateway runs it in the workspace, the result returns", async () => {
    const nonce = `tool-${randomBytes(6).toString("hex")}`;
    const response = await fetch(`http://127.0.0.1:${gateway}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${GATEWAY_TOKEN}` },
      body: JSON.stringify({
        model: OPENCLAW_GATEWAY_MODEL,
        messages: [
          {
            role: "user",
            content: `Run it.\n${TEST_LLM_EXEC_TRIGGER} echo ${nonce} > tool-proof.txt && echo wrote-${nonce}`,
          },
        ],
      }),
      signal: AbortSignal.timeout(150_000),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).toContain(`${TEST_LLM_MARKER}: tool result:`);
    const proof = (await (await call("/files/content?root=workspace&path=tool-proof.txt")).json()) as {
      content: string;
    };
    expect(proof.content.trim()).toBe(nonce);
    const metrics = (await (await call("/metrics")).json()) as { agent: { state: string; restarts: number } };
    // Still the first gateway process: the tool turn fit in the memory limit.
    expect(metrics.agent).toMatchObject({ state: "running", restarts: 0 });
  }, 180_000);

  it("streams the agent's log through /logs", async () => {
    const logs = await (await call("/logs?tail=200")).text();
    expect(logs).toContain("[gateway]");
    expect(logs).not.toContain(LLM_KEY);
  });
});
