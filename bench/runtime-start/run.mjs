// bench/runtime-start: time from `docker run` to the runtime server's /health (9090) and to the
// OpenClaw gateway being ready (18789 /readyz) for the offline-built OpenClaw image, next to the
// floor: a bare `node -e` HTTP server started from the same image. Median of BENCH_RUNS (5) each,
// every run in a fresh container with fresh volumes, hardened as the provisioner runs runtimes.
// Builds the image first unless it is cached (infra/images/build-openclaw-offline.sh).
import { randomBytes } from "node:crypto";
import { chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { docker, hardeningFlags, probe, run } from "../lib/docker.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const LABEL = "nora.bench=1";

async function hostPort(container, port) {
  const mapping = await docker(["port", container, `${port}/tcp`]);
  return Number(/127\.0\.0\.1:(\d+)/.exec(mapping)?.[1]);
}

/** Milliseconds from `start` until `url` answers 200. */
async function until(url, start) {
  const deadline = start + TIMEOUT_MS;
  while (performance.now() < deadline) {
    const response = await probe(url);
    if (response?.ok) {
      await response.body?.cancel();
      return performance.now() - start;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not ready within ${TIMEOUT_MS} ms`);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

process.stderr.write("building or reusing the OpenClaw runtime image…\n");
const image = (await run(join(REPO, "infra/images/build-openclaw-offline.sh"), [])).split("\n").at(-1);
const { assembleRuntime, RUNTIME_CONTAINER_DEFAULTS: D } = await import(
  join(REPO, "agent-runtime/dist/index.js")
);

// The provisioner's hardening as docker run flags, for both containers; no outside names resolve.
const HARDENING = [...hardeningFlags(D), "--dns", "127.0.0.1"];

async function floorRun() {
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
    return await until(`http://127.0.0.1:${await hostPort(name, 9090)}/`, start);
  } finally {
    await docker(["rm", "-f", name]).catch(() => {});
  }
}

async function runtimeRun() {
  const id = randomBytes(4).toString("hex");
  const name = `nora-bench-runtime-${id}`;
  const volumes = [`nora-bench-ws-${id}`, `nora-bench-state-${id}`];
  const work = await mkdtemp(join(tmpdir(), "nora-bench-"));
  const assembly = assembleRuntime({
    agent: { agentId: `agt_${id}`, name: "bench", family: "openclaw" },
    secrets: { runtimeToken: randomBytes(32).toString("hex"), gatewayToken: randomBytes(32).toString("hex") },
    providers: [],
  });
  const secrets = join(work, "secrets");
  const bootstrap = join(work, "bootstrap");
  await mkdir(secrets, { mode: 0o700 });
  await chown(secrets, 1000, 1000);
  for (const [dir, files, owner] of [
    [bootstrap, assembly.files, null],
    [secrets, assembly.secretFiles, 1000],
  ]) {
    for (const file of files) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await writeFile(join(dir, file.path), file.content, { mode: file.mode });
      if (owner !== null) await chown(join(dir, file.path), owner, owner);
    }
  }
  const env = Object.entries(assembly.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
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
      "-v",
      `${volumes[0]}:/nora/workspace`,
      "-v",
      `${volumes[1]}:/nora/state`,
      "-v",
      `${bootstrap}:/etc/nora:ro`,
      "-v",
      `${secrets}:/run/nora/secrets:ro`,
      "-p",
      "127.0.0.1::9090",
      "-p",
      "127.0.0.1::18789",
      ...env,
      image,
    ]);
    const [contract, gateway] = [await hostPort(name, 9090), await hostPort(name, 18789)];
    const [health, live, ready] = await Promise.all([
      until(`http://127.0.0.1:${contract}/health`, start),
      until(`http://127.0.0.1:${gateway}/healthz`, start),
      until(`http://127.0.0.1:${gateway}/readyz`, start),
    ]);
    return { health, live, ready };
  } finally {
    await docker(["rm", "-f", name]).catch(() => {});
    await docker(["volume", "rm", ...volumes]).catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

const floor = [];
const health = [];
const live = [];
const ready = [];
for (let i = 0; i < RUNS; i++) {
  floor.push(await floorRun());
  const result = await runtimeRun();
  health.push(result.health);
  live.push(result.live);
  ready.push(result.ready);
  process.stderr.write(
    `run ${i + 1}/${RUNS}: floor ${seconds(floor[i])}, 9090 ${seconds(result.health)}, gateway live ${seconds(result.live)}, ready ${seconds(result.ready)}\n`,
  );
}

const m = { floor: median(floor), health: median(health), live: median(live), ready: median(ready) };
console.log(`runtime start, ${image}, median of ${RUNS} (docker run → first 200)`);
console.log(`  floor: bare node -e HTTP server  ${seconds(m.floor).padStart(9)}`);
console.log(
  `  runtime server /health (9090)    ${seconds(m.health).padStart(9)}  ${(m.health / m.floor).toFixed(1)}x floor`,
);
console.log(
  `  OpenClaw gateway /healthz (18789) ${seconds(m.live).padStart(8)}  ${(m.live / m.floor).toFixed(1)}x floor`,
);
console.log(
  `  OpenClaw gateway /readyz (18789) ${seconds(m.ready).padStart(9)}  ${(m.ready / m.floor).toFixed(1)}x floor`,
);
