// bench/runtime-start: for each runtime image built offline (OpenClaw, Hermes), the time from
// `docker run` to the runtime server's /health (9090), to the agent's own readiness (OpenClaw: the
// gateway's /healthz and /readyz; Hermes: the API server's /health and the dashboard's /api/status)
// and to the first chat answer from the test LLM (an OpenAI-compatible fake in a container on the
// same private network: no real provider is reachable here). Next to the floor: a bare `node -e` HTTP
// server started from the same image. Median of BENCH_RUNS (5) each, every run in a fresh container
// with fresh volumes, hardened as the provisioner runs runtimes; families alternate run by run.
// BENCH_FAMILIES (openclaw,hermes) picks the families. Builds the images first unless cached.
import { randomBytes } from "node:crypto";
import { chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { docker, hardeningFlags, probe, run } from "../lib/docker.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 180_000);
const FAMILIES = (process.env.BENCH_FAMILIES ?? "openclaw,hermes").split(",").filter(Boolean);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const LABEL = "nora.bench=1";
const LLM_KEY = `sk-bench-${randomBytes(12).toString("hex")}`;
const NETWORK = `nora-bench-${randomBytes(4).toString("hex")}`;
const LLM = `${NETWORK}-llm`;

const {
  assembleRuntime,
  RUNTIME_CONTAINER_DEFAULTS: D,
  HERMES_API_MODEL,
  HERMES_PROBES,
  OPENCLAW_GATEWAY_MODEL,
  OPENCLAW_GATEWAY_PROBES,
  RUNTIME_PORTS,
} = await import(join(REPO, "agent-runtime/dist/index.js"));

/** Per family: its build script, the ports to publish, its readiness probes and its chat endpoint. */
const FAMILY = {
  openclaw: {
    script: "build-openclaw-offline.sh",
    probes: {
      "gateway /healthz": [RUNTIME_PORTS.openclawGateway, OPENCLAW_GATEWAY_PROBES.health],
      "gateway /readyz": [RUNTIME_PORTS.openclawGateway, OPENCLAW_GATEWAY_PROBES.ready],
    },
    chat: [RUNTIME_PORTS.openclawGateway, OPENCLAW_GATEWAY_MODEL],
  },
  hermes: {
    script: "build-hermes-offline.sh",
    probes: {
      "API server /health": [RUNTIME_PORTS.hermesApi, HERMES_PROBES.apiHealth],
      "dashboard /api/status": [RUNTIME_PORTS.hermesDashboard, HERMES_PROBES.dashboardStatus],
    },
    chat: [RUNTIME_PORTS.hermesApi, HERMES_API_MODEL],
  },
};

async function hostPort(container, port) {
  const mapping = await docker(["port", container, `${port}/tcp`]);
  return Number(/127\.0\.0\.1:(\d+)/.exec(mapping)?.[1]);
}

/** Milliseconds from `start` until `attempt()` gives a 200. */
async function until(attempt, start) {
  const deadline = start + TIMEOUT_MS;
  while (performance.now() < deadline) {
    const response = await attempt();
    if (response?.ok) {
      await response.body?.cancel();
      return performance.now() - start;
    }
    await response?.body?.cancel();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready within ${TIMEOUT_MS} ms`);
}

const get = (url) => () => probe(url);

/** One chat turn; a gateway that is up but not ready to chat answers an error, so this retries. */
function chatTurn(url, model, key) {
  return async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60_000);
    try {
      return await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, stream: false, messages: [{ role: "user", content: "hello" }] }),
        signal: controller.signal,
      });
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

// The provisioner's hardening as docker run flags, for every container; no outside names resolve.
const HARDENING = [...hardeningFlags(D), "--dns", "127.0.0.1"];

async function floorRun(image) {
  const name = `nora-bench-floor-${randomBytes(4).toString("hex")}`;
  const script = "require('http').createServer((q, s) => s.end('ok')).listen(9090, '0.0.0.0')";
  const start = performance.now();
  try {
    await docker([
      "run",
      "-d",
      "--name",
      name,
      "--label",
      LABEL,
      ...HARDENING,
      "-p",
      "127.0.0.1::9090",
      "--entrypoint",
      "/usr/local/bin/node",
      image,
      "-e",
      script,
    ]);
    return await until(get(`http://127.0.0.1:${await hostPort(name, 9090)}/`), start);
  } finally {
    await docker(["rm", "-f", name]).catch(() => {});
  }
}

async function deliver(dir, files, owner) {
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content, { mode: file.mode });
    if (owner !== null) await chown(join(dir, file.path), owner, owner);
  }
}

async function runtimeRun(family, image) {
  const traits = FAMILY[family];
  const id = randomBytes(4).toString("hex");
  const name = `nora-bench-runtime-${id}`;
  const volumes = [`nora-bench-ws-${id}`, `nora-bench-state-${id}`];
  const work = await mkdtemp(join(tmpdir(), "nora-bench-"));
  const gatewayToken = randomBytes(32).toString("hex");
  const assembly = assembleRuntime({
    agent: { agentId: `agt_${id}`, name: "bench", family },
    secrets: { runtimeToken: randomBytes(32).toString("hex"), gatewayToken },
    providers: [
      {
        id: "testllm",
        api: "openai-completions",
        baseUrl: "http://test-llm:8080/v1",
        apiKey: LLM_KEY,
        models: [{ id: "nora-test-model", contextWindow: 128000, maxTokens: 4096 }],
      },
    ],
  });
  const secrets = join(work, "secrets");
  await mkdir(secrets, { mode: 0o700 });
  await chown(secrets, 1000, 1000);
  await deliver(join(work, "bootstrap"), assembly.files, null);
  await deliver(secrets, assembly.secretFiles, 1000);
  const env = Object.entries(assembly.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const ports = [...new Set([9090, ...Object.values(traits.probes).map(([port]) => port)])];
  for (const volume of volumes) await docker(["volume", "create", "--label", LABEL, volume]);
  const start = performance.now();
  try {
    await docker([
      "run",
      "-d",
      "--name",
      name,
      "--label",
      LABEL,
      ...HARDENING,
      "--network",
      NETWORK,
      "-v",
      `${volumes[0]}:/nora/workspace`,
      "-v",
      `${volumes[1]}:/nora/state`,
      "-v",
      `${join(work, "bootstrap")}:/etc/nora:ro`,
      "-v",
      `${secrets}:/run/nora/secrets:ro`,
      ...ports.flatMap((port) => ["-p", `127.0.0.1::${port}`]),
      ...env,
      image,
    ]);
    const host = {};
    for (const port of ports) host[port] = await hostPort(name, port);
    const url = (port, path) => `http://127.0.0.1:${host[port]}${path}`;
    const [chatPort, model] = traits.chat;
    const timings = await Promise.all([
      until(get(url(9090, "/health")), start),
      ...Object.values(traits.probes).map(([port, path]) => until(get(url(port, path)), start)),
      until(chatTurn(url(chatPort, "/v1/chat/completions"), model, gatewayToken), start),
    ]);
    return Object.fromEntries(
      ["runtime server /health", ...Object.keys(traits.probes), "first chat answer"].map((label, i) => [
        label,
        timings[i],
      ]),
    );
  } finally {
    await docker(["rm", "-f", name]).catch(() => {});
    await docker(["volume", "rm", ...volumes]).catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

const images = {};
for (const family of FAMILIES) {
  if (!FAMILY[family]) throw new Error(`BENCH_FAMILIES: unknown family "${family}"`);
  process.stderr.write(`building or reusing the ${family} runtime image…\n`);
  images[family] = (await run(join(REPO, "infra/images", FAMILY[family].script), [], 45 * 60_000))
    .split("\n")
    .at(-1);
}

await docker(["network", "create", "--label", LABEL, NETWORK]);
await docker([
  "run",
  "-d",
  "--name",
  LLM,
  "--label",
  LABEL,
  ...HARDENING,
  "--network",
  NETWORK,
  "--network-alias",
  "test-llm",
  "-v",
  `${join(REPO, "agent-runtime/src/testing/test-llm.ts")}:/opt/test-llm/test-llm.ts:ro`,
  "-e",
  `TEST_LLM_API_KEY=${LLM_KEY}`,
  "--entrypoint",
  "/usr/local/bin/node",
  images[FAMILIES[0]],
  "/opt/test-llm/test-llm.ts",
]);

const results = Object.fromEntries(FAMILIES.map((family) => [family, { floor: [], timings: {} }]));
try {
  for (let i = 0; i < RUNS; i++) {
    for (const family of FAMILIES) {
      const result = results[family];
      result.floor.push(await floorRun(images[family]));
      const timings = await runtimeRun(family, images[family]);
      for (const [label, ms] of Object.entries(timings)) {
        result.timings[label] ??= [];
        result.timings[label].push(ms);
      }
      process.stderr.write(
        `run ${i + 1}/${RUNS} ${family}: floor ${seconds(result.floor.at(-1))}, ${Object.entries(timings)
          .map(([label, ms]) => `${label} ${seconds(ms)}`)
          .join(", ")}\n`,
      );
    }
  }
} finally {
  await docker(["rm", "-f", LLM]).catch(() => {});
  await docker(["network", "rm", NETWORK]).catch(() => {});
}

for (const family of FAMILIES) {
  const { floor, timings } = results[family];
  const base = median(floor);
  console.log(`runtime start, ${family}: ${images[family]}, median of ${RUNS} (docker run → first 200)`);
  console.log(`  floor: bare node -e HTTP server  ${seconds(base).padStart(9)}`);
  for (const [label, values] of Object.entries(timings)) {
    const m = median(values);
    console.log(`  ${label.padEnd(31)} ${seconds(m).padStart(9)}  ${(m / base).toFixed(1)}x floor`);
  }
}
