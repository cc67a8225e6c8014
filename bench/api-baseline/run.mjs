// bench/api-baseline: GET /api/health through Nora's full middleware stack vs. a bare Express app,
// each server in its own process with the same settings, measured alternately in one run.
// Prints both req/s and the ratio. Target: full >= 60% of bare.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const serverPath = fileURLToPath(new URL("./server.mjs", import.meta.url));

function startServer(mode) {
  return new Promise((resolve, reject) => {
    // stdout to /dev/null: the full stack's access log is part of its cost.
    const child = fork(serverPath, [mode], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    child.once("message", (m) => resolve({ child, url: `http://127.0.0.1:${m.port}/api/health` }));
    child.once("exit", (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

async function measure(url) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const servers = { bare: await startServer("bare"), full: await startServer("full") };
const results = { bare: [], full: [] };
try {
  for (const mode of ["bare", "full"]) await measure(servers[mode].url.replace(/$/, "")); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ["bare", "full"]) results[mode].push(await measure(servers[mode].url));
  }
} finally {
  for (const { child } of Object.values(servers)) child.kill("SIGTERM");
}

const best = (mode) => results[mode].reduce((a, b) => (b.rps > a.rps ? b : a));
const bare = best("bare");
const full = best("full");
const ratio = full.rps / bare.rps;
console.log(`GET /api/health, ${CONNECTIONS} connections, ${DURATION_S} s x ${ROUNDS} rounds (best round)`);
console.log(`  bare express : ${bare.rps.toFixed(0).padStart(7)} req/s  p99 ${bare.p99} ms`);
console.log(`  nora full    : ${full.rps.toFixed(0).padStart(7)} req/s  p99 ${full.p99} ms`);
console.log(
  `  ratio        : ${(ratio * 100).toFixed(1)}% of bare (target >= 60%) ${ratio >= 0.6 ? "PASS" : "BELOW TARGET"}`,
);
process.exitCode = ratio >= 0.6 ? 0 : 1;
