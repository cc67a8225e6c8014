// bench/provision: time from `POST /api/workspaces/:id/agents` (deploy) to the agent's `running` status
// (seen on its event stream) with the OpenClaw runtime image, beside the floor measured in the same run:
// a bare `docker run` of the same image, hardened the same way, polled to the same readiness (the runtime
// server's /health, then the agent's gateway reachable in its /metrics) every 20 ms. Agents alternate
// with floor runs so both see the same machine. Then BENCH_FLEET (12) agents asked for at once, deployed
// at DEPLOYMENT_WORKER_CONCURRENCY 6. Builds the image first unless it is cached.
// The API runs in this process (bench/lib/full-app.mjs); the provisioner is its built entry point.
import { spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { docker, hardeningFlags, probe, run } from "../lib/docker.mjs";
import { buildFullApp } from "../lib/full-app.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FLEET = Number(process.env.BENCH_FLEET ?? 12);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const LABEL = "nora.bench=provision";

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** The floor: the same image, hardening and files, started by hand and polled every 20 ms. */
async function floorRun(image, runtime) {
  const id = randomBytes(4).toString("hex");
  const work = await mkdtemp(join(tmpdir(), "nora-bench-provision-"));
  const token = randomBytes(32).toString("hex");
  const assembly = runtime.assembleRuntime({
    agent: { agentId: `bench_${id}`, name: "floor", family: "openclaw", template: {} },
    secrets: { runtimeToken: token, gatewayToken: randomBytes(32).toString("hex") },
    providers: [],
  });
  const write = async (dir, files, owner) => {
    for (const file of files) {
      const path = join(dir, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { mode: file.mode });
      await chmod(path, file.mode);
      if (owner) await chown(path, 1000, 1000);
    }
  };
  await mkdir(join(work, "bootstrap"));
  await mkdir(join(work, "secrets"), { mode: 0o700 });
  await chown(join(work, "secrets"), 1000, 1000);
  await write(join(work, "bootstrap"), assembly.files, false);
  await write(join(work, "secrets"), assembly.secretFiles, true);
  await chmod(work, 0o755);
  const name = `nora-bench-floor-${id}`;
  const D = runtime.RUNTIME_CONTAINER_DEFAULTS;
  const started = performance.now();
  await docker([
    "run",
    "-d",
    "--name",
    name,
    "--label",
    LABEL,
    ...hardeningFlags(D),
    "-v",
    `${name}-ws:/nora/workspace`,
    "-v",
    `${name}-state:/nora/state`,
    "-v",
    `${join(work, "bootstrap")}:/etc/nora:ro`,
    "-v",
    `${join(work, "secrets")}:/run/nora/secrets:ro`,
    ...Object.entries(assembly.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    "-p",
    "127.0.0.1::9090",
    image,
  ]);
  try {
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await docker(["port", name, "9090/tcp"]))?.[1]);
    const deadline = started + 300_000;
    while (performance.now() < deadline) {
      const res = await probe(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res?.ok) {
        const metrics = await res.json();
        if (metrics.gateway === null || metrics.gateway.reachable) return performance.now() - started;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("floor container never became ready");
  } finally {
    await docker(["rm", "-f", name]).catch(() => {});
    await docker(["volume", "rm", "-f", `${name}-ws`, `${name}-state`]).catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

/** Reads an agent's event stream until its status becomes one of `statuses`; resolves with the time. */
async function untilStatus(baseUrl, apiKey, agentId, statuses, started) {
  const res = await fetch(`${baseUrl}/api/agents/${agentId}/events`, {
    headers: { authorization: `Bearer ${apiKey}`, "last-event-id": "0" },
  });
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (const line of buffer.split("\n")) {
      if (!line.startsWith("data: ")) continue;
      const event = JSON.parse(line.slice(6));
      if (event.type === "agent.status_changed" && statuses.includes(event.metadata.to)) {
        const at = performance.now() - started;
        res.body.cancel().catch(() => {});
        if (event.metadata.to !== "running")
          throw new Error(`agent ended ${event.metadata.to}: ${event.message}`);
        return at;
      }
    }
    buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
  }
  throw new Error("event stream ended");
}

async function main() {
  const image = (await run(join(REPO, "infra/images/build-openclaw-offline.sh"), [])).split("\n").at(-1);
  const runtime = await import("../../agent-runtime/dist/index.js");
  const portBase = 40_000 + randomInt(0, 100) * 100;
  const env = {
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    AGENT_IMAGE_OPENCLAW: image,
    DOCKER_AGENT_PORT_RANGE: `${portBase}-${portBase + 99}`,
    DOCKER_AGENT_SUBNET_POOL: `10.${200 + randomInt(0, 50)}.${randomInt(0, 16) * 16}.0/20`,
    DEPLOYMENT_WORKER_CONCURRENCY: "6",
    DEPLOYMENT_READY_ATTEMPTS: "600",
    AGENT_QUOTA_PER_WORKSPACE: String(RUNS + FLEET + 5),
    RATE_LIMIT_MUTATING_PER_MINUTE: "100000000",
    RATE_LIMIT_MUTATING_BURST: "100000000",
    RATE_LIMIT_AUTH_PER_MINUTE: "100000000",
    RATE_LIMIT_AUTH_BURST: "100000000",
    SIGNUP_MODE: "open",
    PUBLIC_URL: "http://127.0.0.1:8080",
  };
  const full = await buildFullApp("nora_bench_provision", env);
  const server = await new Promise((resolve) => {
    const s = full.app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  const provisioner = spawn(process.execPath, [join(REPO, "workers/provisioner/dist/main.js")], {
    env: {
      PATH: process.env.PATH,
      ...env,
      NODE_ENV: "production",
      NORA_ALLOW_PLAINTEXT_SECRETS: "true",
      JWT_SECRET: "bench-Vq3n8Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2",
      NORA_API_KEY_HASH_SECRET: "bench-Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2Vq3n8",
      DATABASE_URL: full.config.database.url,
      REDIS_KEY_PREFIX: full.config.redis.keyPrefix,
      PROVISIONER_HEALTH_PORT: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const agents = [];
  try {
    const json = async (method, path, body, headers = {}) => {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { "content-type": "application/json", origin: "http://127.0.0.1:8080", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      const session = res.headers.getSetCookie().find((c) => /nora_session=/.test(c));
      return { body: JSON.parse(text), cookie: session?.split(";")[0] };
    };
    const credentials = { email: "bench@example.org", password: "bench-password-1234" };
    await json("POST", "/api/auth/signup", credentials);
    const login = await json("POST", "/api/auth/login", credentials);
    const cookie = { cookie: login.cookie };
    const workspace = (await json("POST", "/api/workspaces", { name: "bench" }, cookie)).body.workspace.id;
    const key = (
      await json(
        "POST",
        `/api/workspaces/${workspace}/api-keys`,
        { description: "bench", scopes: ["agents:read", "agents:write"] },
        cookie,
      )
    ).body.key;
    const bearer = { authorization: `Bearer ${key}` };
    const deploy = async (name) => {
      const started = performance.now();
      const { body } = await json(
        "POST",
        `/api/workspaces/${workspace}/agents`,
        { name, memoryMb: 2048 },
        bearer,
      );
      agents.push(body.agent.id);
      return untilStatus(baseUrl, key, body.agent.id, ["running", "warning", "failed", "error"], started);
    };

    const floor = [];
    const nora = [];
    for (let i = 0; i < RUNS; i++) {
      floor.push(await floorRun(image, runtime));
      nora.push(await deploy(`bench-${i}`));
      process.stderr.write(
        `run ${i + 1}/${RUNS}: floor ${seconds(floor.at(-1))}, Nora ${seconds(nora.at(-1))}\n`,
      );
    }
    // Delete them through Nora and wait until they are gone, so the provisioner is not stopped mid-delete.
    const deleted = agents.splice(0);
    for (const id of deleted) await json("DELETE", `/api/agents/${id}`, undefined, bearer);
    for (const id of deleted) {
      while ((await fetch(`${baseUrl}/api/agents/${id}`, { headers: bearer })).status !== 404) {
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    const fleetStarted = performance.now();
    // BENCH_FLEET=0 measures the single deployments only.
    const fleet = await Promise.all(Array.from({ length: FLEET }, (_, i) => deploy(`fleet-${i}`)));
    const fleetMs = performance.now() - fleetStarted;

    const overhead = median(nora) - median(floor);
    console.log(`\nbench/provision: OpenClaw image ${image}, ${RUNS} runs each, same process and moment`);
    console.log(
      `  floor (bare docker run → 9090 /health → gateway reachable): median ${seconds(median(floor))}`,
    );
    console.log(
      `  Nora  (POST deploy → running on the event stream):            median ${seconds(median(nora))}`,
    );
    console.log(
      `  overhead above the floor: ${seconds(overhead)} (target ≤ 1 s); ratio ${(median(nora) / median(floor)).toFixed(3)}`,
    );
    if (FLEET > 0) {
      console.log(
        `  ${FLEET} agents at concurrency 6: all running in ${seconds(fleetMs)} (median agent ${seconds(median(fleet))})`,
      );
    }
  } finally {
    for (const id of agents) {
      await docker(["rm", "-f", `nora-agent-${id}`]).catch(() => {});
      await docker(["network", "rm", `nora-agent-${id}`]).catch(() => {});
      const volumes = await docker(["volume", "ls", "-q", "--filter", `name=nora-agent-${id}`]).catch(
        () => "",
      );
      if (volumes) await docker(["volume", "rm", "-f", ...volumes.split("\n")]).catch(() => {});
    }
    const exited = new Promise((resolve) => provisioner.once("exit", resolve));
    provisioner.kill("SIGTERM");
    await exited;
    server.close();
    await full.close();
  }
}

await main();
process.exit(0);
