// bench/api-baseline: one GET through Nora's full middleware stack vs. the same route in a bare Express
// app, each server in its own process with the same settings, measured alternately in one run. The
// route is bench/lib/full-app.mjs' BENCH_PATH, behind every layer (the probes skip the rate limiter).
// Prints both req/s and the ratio. Target: full >= 60% of bare. BENCH_COMPARE_DIST=<a backend-api
// build directory inside the repository> adds that build as a third server, measured in the same
// alternating rounds (a before/after comparison within one sitting).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { median, processCpuMs } from "../lib/cpu.mjs";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const serverPath = fileURLToPath(new URL("./server.mjs", import.meta.url));

const COMPARE_DIST = process.env.BENCH_COMPARE_DIST;
const modes = COMPARE_DIST ? ["bare", "full", "compare"] : ["bare", "full"];

function startServer(mode) {
  return new Promise((resolve, reject) => {
    const env = mode === "compare" ? { ...process.env, BENCH_API_DIST: COMPARE_DIST } : process.env;
    // stdout to /dev/null: the full stack's access log is part of its cost.
    const child = fork(serverPath, [mode === "compare" ? "full" : mode], {
      env,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    child.once("message", (m) =>
      resolve({ child, path: m.path, url: `http://127.0.0.1:${m.port}${m.path}` }),
    );
    child.once("exit", (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

async function measure({ url, child }) {
  const cpuBefore = processCpuMs(child.pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, pipelining: 1 });
  const cpuAfter = processCpuMs(child.pid);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  const cpuUs = cpuBefore === null ? null : ((cpuAfter - cpuBefore) * 1000) / result.requests.total;
  return { rps: result.requests.average, p99: result.latency.p99, cpuUs };
}

const servers = {};
const results = {};
for (const mode of modes) {
  servers[mode] = await startServer(mode);
  results[mode] = [];
}
try {
  for (const mode of modes) await measure(servers[mode]); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of modes) results[mode].push(await measure(servers[mode]));
  }
} finally {
  for (const { child } of Object.values(servers)) child.kill("SIGTERM");
  await Promise.all(Object.values(servers).map(({ child }) => new Promise((r) => child.once("exit", r))));
}

const best = (mode) => results[mode].reduce((a, b) => (b.rps > a.rps ? b : a));
const bare = best("bare");
const full = best("full");
const ratio = full.rps / bare.rps;
console.log(
  `GET ${servers.full.path}, ${CONNECTIONS} connections, ${DURATION_S} s x ${ROUNDS} rounds (best round)`,
);
const cpu = (mode) => {
  const values = results[mode].map((r) => r.cpuUs).filter((v) => v !== null);
  return values.length === 0 ? "" : `  server CPU ${median(values).toFixed(0)} µs/req (median)`;
};
console.log(`  bare express : ${bare.rps.toFixed(0).padStart(7)} req/s  p99 ${bare.p99} ms${cpu("bare")}`);
console.log(`  nora full    : ${full.rps.toFixed(0).padStart(7)} req/s  p99 ${full.p99} ms${cpu("full")}`);
if (COMPARE_DIST) {
  const other = best("compare");
  console.log(
    `  ${COMPARE_DIST}: ${other.rps.toFixed(0).padStart(7)} req/s  p99 ${other.p99} ms${cpu("compare")}  ${((other.rps / bare.rps) * 100).toFixed(1)}% of bare`,
  );
}
console.log(
  `  ratio        : ${(ratio * 100).toFixed(1)}% of bare (target >= 60%) ${ratio >= 0.6 ? "PASS" : "BELOW TARGET"}`,
);
process.exitCode = ratio >= 0.6 ? 0 : 1;
