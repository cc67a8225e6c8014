// bench/auth: requests/s of an authenticated GET /api/workspaces/:id, with a session cookie and with an
// API key, next to an anonymous GET through every layer (bench/lib/full-app.mjs' BENCH_PATH) on the
// same server in the same run. Target: both >= 50% of the anonymous route.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { median, processCpuMs } from "../lib/cpu.mjs";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const child = fork(fileURLToPath(new URL("./server.mjs", import.meta.url)), [], {
  stdio: ["ignore", "ignore", "inherit", "ipc"],
});
const seed = await new Promise((resolve, reject) => {
  child.once("message", resolve);
  child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
});

const targets = {
  anonymous: { url: `${seed.base}${seed.path}`, headers: {} },
  session: { url: `${seed.base}/api/workspaces/${seed.workspaceId}`, headers: { cookie: seed.cookie } },
  apiKey: {
    url: `${seed.base}/api/workspaces/${seed.workspaceId}`,
    headers: { authorization: `Bearer ${seed.apiKey}` },
  },
};

async function measure({ url, headers }) {
  const cpuBefore = processCpuMs(child.pid);
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION_S });
  const cpuAfter = processCpuMs(child.pid);
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const cpuUs = cpuBefore === null ? null : ((cpuAfter - cpuBefore) * 1000) / r.requests.total;
  return { rps: r.requests.average, p99: r.latency.p99, cpuUs };
}
const cpu = (name) => {
  const values = results[name].map((r) => r.cpuUs).filter((v) => v !== null);
  return values.length === 0 ? "" : `  server CPU ${median(values).toFixed(0)} µs/req`;
};

const results = { anonymous: [], session: [], apiKey: [] };
try {
  for (const name of Object.keys(targets)) await measure({ ...targets[name] }); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(targets)) results[name].push(await measure(targets[name]));
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

const best = (name) => results[name].reduce((a, b) => (b.rps > a.rps ? b : a));
const anonymous = best("anonymous");
console.log(
  `${CONNECTIONS} connections, ${DURATION_S} s x ${ROUNDS} rounds (best round), full middleware stack`,
);
console.log(
  `  GET ${seed.path} (anonymous)  : ${anonymous.rps.toFixed(0).padStart(7)} req/s  p99 ${anonymous.p99} ms${cpu("anonymous")}`,
);
let pass = true;
for (const [name, label] of [
  ["session", "session cookie"],
  ["apiKey", "API key"],
]) {
  const r = best(name);
  const ratio = r.rps / anonymous.rps;
  pass &&= ratio >= 0.5;
  console.log(
    `  GET /api/workspaces/:id (${label.padEnd(14)}): ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99} ms  ${(ratio * 100).toFixed(1)}% of anonymous${cpu(name)}`,
  );
}
console.log(`  target >= 50% of the anonymous route: ${pass ? "PASS" : "BELOW TARGET"}`);
process.exitCode = pass ? 0 : 1;
