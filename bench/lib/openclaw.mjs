// One real OpenClaw gateway for a benchmark: the offline runtime image (built or reused by its content
// hash), run with the provisioner's hardening on a private network beside the test LLM (an
// OpenAI-compatible fake in a second container: no real provider is reachable here), its gateway port
// published on 127.0.0.1 only. Resolves once a chat turn has gone through, so a benchmark measures a
// warm gateway. `unavailable()` says why it cannot run here (no Docker, not root), or null.
import { randomBytes } from "node:crypto";
import { chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { docker, hardeningFlags, probe, run } from "./docker.mjs";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const LABEL = "nora.bench=1";

export async function unavailable() {
  if (process.getuid?.() !== 0) return "the offline image's mounts need root (uid 1000-owned secrets)";
  try {
    await run("docker", ["version", "--format", "{{.Server.Version}}"], 10_000);
  } catch {
    return "no Docker engine";
  }
  return null;
}

/** The image's tag: the last line `infra/images/build-openclaw-offline.sh` prints (it reuses by hash). */
export async function openclawImage() {
  const out = await run(join(REPO, "infra/images/build-openclaw-offline.sh"), [], 45 * 60_000);
  const tag = out.split("\n").at(-1) ?? "";
  if (!/^nora-runtime-openclaw:[0-9a-f]{16}$/.test(tag)) throw new Error(`no image tag: ${tag}`);
  return tag;
}

async function deliver(dir, files, owner) {
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content, { mode: file.mode });
    if (owner !== null) await chown(join(dir, file.path), owner, owner);
  }
}

async function hostPort(container, port) {
  const mapping = await docker(["port", container, `${port}/tcp`]);
  return Number(/127\.0\.0\.1:(\d+)/.exec(mapping)?.[1]);
}

/** Starts the gateway; `close()` removes every container, network and volume it made. */
export async function startOpenClawGateway(image, { timeoutMs = 240_000 } = {}) {
  const runtime = await import(join(REPO, "agent-runtime/dist/index.js"));
  const { assembleRuntime, RUNTIME_CONTAINER_DEFAULTS: D, RUNTIME_PORTS, OPENCLAW_GATEWAY_MODEL } = runtime;
  const id = randomBytes(4).toString("hex");
  const network = `nora-bench-${id}`;
  const llm = `${network}-llm`;
  const name = `nora-bench-runtime-${id}`;
  const volumes = [`nora-bench-ws-${id}`, `nora-bench-state-${id}`];
  const work = await mkdtemp(join(tmpdir(), "nora-bench-"));
  const llmKey = `sk-bench-${randomBytes(12).toString("hex")}`;
  const gatewayToken = randomBytes(32).toString("hex");
  const hardening = [...hardeningFlags(D), "--dns", "127.0.0.1"];
  const close = async () => {
    await docker(["rm", "-f", name, llm]).catch(() => {});
    await docker(["network", "rm", network]).catch(() => {});
    await docker(["volume", "rm", ...volumes]).catch(() => {});
    await rm(work, { recursive: true, force: true });
  };
  try {
    const assembly = assembleRuntime({
      agent: { agentId: `agt_${id}`, name: "bench", family: "openclaw" },
      secrets: { runtimeToken: randomBytes(32).toString("hex"), gatewayToken },
      providers: [
        {
          id: "testllm",
          api: "openai-completions",
          baseUrl: "http://test-llm:8080/v1",
          apiKey: llmKey,
          models: [{ id: "nora-test-model", contextWindow: 128000, maxTokens: 4096 }],
        },
      ],
    });
    const secrets = join(work, "secrets");
    await mkdir(secrets, { mode: 0o700 });
    await chown(secrets, 1000, 1000);
    await deliver(join(work, "bootstrap"), assembly.files, null);
    await deliver(secrets, assembly.secretFiles, 1000);
    await docker(["network", "create", "--label", LABEL, network]);
    for (const volume of volumes) await docker(["volume", "create", "--label", LABEL, volume]);
    await docker([
      "run",
      "-d",
      "--name",
      llm,
      "--label",
      LABEL,
      ...hardening,
      "--network",
      network,
      "--network-alias",
      "test-llm",
      "-v",
      `${join(REPO, "agent-runtime/src/testing/test-llm.ts")}:/opt/test-llm/test-llm.ts:ro`,
      "-e",
      `TEST_LLM_API_KEY=${llmKey}`,
      "--entrypoint",
      "/usr/local/bin/node",
      image,
      "/opt/test-llm/test-llm.ts",
    ]);
    const gatewayPortInside = RUNTIME_PORTS.openclawGateway;
    await docker([
      "run",
      "-d",
      "--name",
      name,
      "--label",
      LABEL,
      ...hardening,
      "--network",
      network,
      "-v",
      `${volumes[0]}:/nora/workspace`,
      "-v",
      `${volumes[1]}:/nora/state`,
      "-v",
      `${join(work, "bootstrap")}:/etc/nora:ro`,
      "-v",
      `${secrets}:/run/nora/secrets:ro`,
      "-p",
      `127.0.0.1::${gatewayPortInside}`,
      ...Object.entries(assembly.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
      image,
    ]);
    const port = await hostPort(name, gatewayPortInside);
    const deadline = Date.now() + timeoutMs;
    // Ready when a chat turn answers: the gateway is up, its agent loaded, the model reachable.
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`the OpenClaw gateway did not answer within ${timeoutMs} ms`);
      const ready = await probe(`http://127.0.0.1:${port}/readyz`);
      await ready?.body?.cancel();
      if (ready?.ok) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 60_000);
        const turn = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${gatewayToken}` },
          body: JSON.stringify({
            model: OPENCLAW_GATEWAY_MODEL,
            stream: false,
            messages: [{ role: "user", content: "hello" }],
          }),
          signal: controller.signal,
        }).catch(() => null);
        clearTimeout(timer);
        const ok = turn?.ok === true;
        await turn?.body?.cancel();
        if (ok) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { port, gatewayToken, close };
  } catch (error) {
    await close();
    throw error;
  }
}
