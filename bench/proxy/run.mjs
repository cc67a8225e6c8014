// bench/proxy: GET /v1/models of an agent's gateway through the gateway proxy (the full API: every
// middleware, API-key authentication, the agent's row read and judged, a node:http request to the
// upstream) vs. the same upstream directly, in the same run, alternating rounds. Throughput at
// BENCH_CONNECTIONS, latency (p50/p99) at one connection. Targets: >= 70% of direct throughput, < 2 ms
// added p50. The upstream and the API are separate processes; the load generator is this one.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { median, processCpuMs } from "../lib/cpu.mjs";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

function start(script, env = {}) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...process.env, ...env },
  });
  const ready = new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ready };
}

const upstream = start("./upstream.mjs");
const { port } = await upstream.ready;
const api = start("./server.mjs", { BENCH_UPSTREAM_PORT: String(port) });
const seed = await api.ready;

const targets = {
  direct: { url: `http://127.0.0.1:${port}/v1/models`, headers: {}, pid: upstream.child.pid },
  // The same server's plain read of that agent (the same authentication and authorization, one row
  // read): what a DB-backed route costs here, so the proxy's own share is visible.
  agentRead: {
    url: `${seed.base}/api/agents/${seed.agentId}`,
    headers: { authorization: `Bearer ${seed.apiKey}` },
    pid: api.child.pid,
  },
  proxy: {
    url: `${seed.base}/api/agents/${seed.agentId}/gateway/v1/models`,
    headers: { authorization: `Bearer ${seed.apiKey}` },
    pid: api.child.pid,
  },
};

async function measure({ url, headers, pid }, connections) {
  const cpuBefore = processCpuMs(pid);
  const r = await autocannon({ url, headers, connections, duration: DURATION_S });
  const cpuAfter = processCpuMs(pid);
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const cpuUs = cpuBefore === null ? null : ((cpuAfter - cpuBefore) * 1000) / r.requests.total;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuUs };
}

const load = { direct: [], agentRead: [], proxy: [] };
const single = { direct: [], agentRead: [], proxy: [] };
try {
  for (const name of Object.keys(targets)) await measure(targets[name], CONNECTIONS); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(targets)) load[name].push(await measure(targets[name], CONNECTIONS));
    for (const name of Object.keys(targets)) single[name].push(await measure(targets[name], 1));
  }
} finally {
  for (const { child } of [api, upstream]) {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

const best = (list) => list.reduce((a, b) => (b.rps > a.rps ? b : a));
const med = (list, key) => median(list.map((r) => r[key]));
const direct = best(load.direct);
const proxy = best(load.proxy);
const agentRead = best(load.agentRead);
const ratio = proxy.rps / direct.rps;
const added = med(single.proxy, "p50") - med(single.direct, "p50");
const cpu = (r) => (r.cpuUs === null ? "" : `  server CPU ${r.cpuUs.toFixed(0)} µs/req`);
console.log(
  `${CONNECTIONS} connections (throughput) and 1 connection (latency), ${DURATION_S} s x ${ROUNDS} rounds`,
);
console.log(
  `  direct to the upstream : ${direct.rps.toFixed(0).padStart(7)} req/s  p99 ${direct.p99} ms${cpu(direct)}`,
);
console.log(
  `  through the proxy      : ${proxy.rps.toFixed(0).padStart(7)} req/s  p99 ${proxy.p99} ms${cpu(proxy)}  ${(ratio * 100).toFixed(1)}% of direct`,
);
console.log(
  `  GET /api/agents/:id    : ${agentRead.rps.toFixed(0).padStart(7)} req/s  p99 ${agentRead.p99} ms${cpu(agentRead)}  (the proxy is ${((proxy.rps / agentRead.rps) * 100).toFixed(1)}% of it)`,
);
console.log(
  `  1 connection p50/p99   : direct ${med(single.direct, "p50")}/${med(single.direct, "p99")} ms, GET /api/agents/:id ${med(single.agentRead, "p50")}/${med(single.agentRead, "p99")} ms, proxy ${med(single.proxy, "p50")}/${med(single.proxy, "p99")} ms (added p50 ${added.toFixed(2)} ms)`,
);
const pass = ratio >= 0.7 && added < 2;
console.log(`  targets >= 70% of direct and < 2 ms added p50: ${pass ? "PASS" : "BELOW TARGET"}`);
process.exitCode = pass ? 0 : 1;
