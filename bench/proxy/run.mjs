// bench/proxy: an agent's gateway through Nora's gateway proxy vs. the same gateway directly, in the
// same run, alternating rounds (issue 13). The API is the full app in its own process (every
// middleware, API-key authentication, the authorizer, the opened-gateway cache, a pooled node:http
// request to the pinned upstream); the load generator is this process.
//
// (a) HTTP: `GET /v1/models` through `/api/agents/:id/gateway/v1/models` vs. directly, against
//     - a bare node:http upstream (what the proxy itself costs), next to `GET /api/agents/:id` on the
//       same server (one authenticated, authorized DB-backed read: what any API route costs here), and
//     - a real OpenClaw gateway (the offline runtime image with the test LLM, ports on 127.0.0.1),
//       skipped with the reason when Docker or root is missing.
//     Throughput at BENCH_CONNECTIONS (32, autocannon); latency p50/p99 at one connection, measured
//     per request with hrtime (autocannon's latencies are whole milliseconds).
// (b) Chat: the time to the first SSE byte and to the first text of a chat turn through
//     `POST /api/agents/:id/chat` vs. the gateway's `POST /v1/chat/completions` (stream: true, the
//     body Nora sends) directly, turn by turn, each a new session, against a loopback OpenAI-compatible
//     SSE upstream (the project's test LLM) and against the real OpenClaw gateway.
// Targets: >= 70% of direct throughput, < 2 ms added p50. BENCH_DURATION_S (5), BENCH_ROUNDS (2),
// BENCH_CHAT_TURNS (20), BENCH_OPENCLAW=0 skips the real gateway.
import { randomBytes, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import autocannon from "autocannon";
import { median, processCpuMs } from "../lib/cpu.mjs";
import { startChild } from "../lib/fork.mjs";
import { openclawImage, startOpenClawGateway, unavailable } from "../lib/openclaw.mjs";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CHAT_TURNS = Number(process.env.BENCH_CHAT_TURNS ?? 20);
const WARM_UP_S = 2;

const start = (script, env) => startChild(script, import.meta.url, env);

const stopChild = async ({ child }) => {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
};

// ---- upstreams ----------------------------------------------------------------------------------
const children = [];
let openclaw = null;
let openclawSkipped = null;
const cleanup = async () => {
  for (const child of children.reverse()) await stopChild(child);
  await openclaw?.close();
};

const upstream = start("./upstream.mjs");
children.push(upstream);
const sseToken = randomBytes(32).toString("hex");
const sse = start("./sse-upstream.mjs", { BENCH_SSE_TOKEN: sseToken });
children.push(sse);

let seed;
try {
  const { port: trivialPort } = await upstream.ready;
  const { port: ssePort } = await sse.ready;
  openclawSkipped = process.env.BENCH_OPENCLAW === "0" ? "BENCH_OPENCLAW=0" : await unavailable();
  if (openclawSkipped === null) {
    process.stderr.write("building or reusing the OpenClaw runtime image, starting its gateway…\n");
    const image = await openclawImage();
    openclaw = await startOpenClawGateway(image);
    openclaw.image = image;
  }
  const upstreams = {
    trivial: { port: trivialPort, token: "t".repeat(64) },
    sse: { port: ssePort, token: sseToken },
    ...(openclaw ? { openclaw: { port: openclaw.port, token: openclaw.gatewayToken } } : {}),
  };
  const api = start("./server.mjs", { BENCH_UPSTREAMS: JSON.stringify(upstreams) });
  children.push(api);
  seed = await api.ready;
  seed.api = api;
  seed.upstreams = upstreams;
} catch (error) {
  await cleanup();
  throw error;
}

const viaApi = { authorization: `Bearer ${seed.apiKey}` };
const proxyUrl = (name, path) => `${seed.base}/api/agents/${seed.agents[name]}/gateway${path}`;
const directUrl = (name, path) => `http://127.0.0.1:${seed.upstreams[name].port}${path}`;

// ---- (a) HTTP -----------------------------------------------------------------------------------
const suites = {
  trivial: {
    title: "bare node:http upstream",
    targets: {
      direct: { url: directUrl("trivial", "/v1/models"), headers: {}, pid: upstream.child.pid },
      agentRead: {
        url: `${seed.base}/api/agents/${seed.agents.trivial}`,
        headers: viaApi,
        pid: seed.api.child.pid,
      },
      proxy: { url: proxyUrl("trivial", "/v1/models"), headers: viaApi, pid: seed.api.child.pid },
    },
  },
  ...(openclaw
    ? {
        openclaw: {
          title: `real OpenClaw gateway (${openclaw.image})`,
          targets: {
            direct: {
              url: directUrl("openclaw", "/v1/models"),
              headers: { authorization: `Bearer ${openclaw.gatewayToken}` },
              pid: null,
            },
            proxy: { url: proxyUrl("openclaw", "/v1/models"), headers: viaApi, pid: seed.api.child.pid },
          },
        },
      }
    : {}),
};

async function throughput({ url, headers, pid }, duration = DURATION_S) {
  const cpuBefore = pid === null ? null : processCpuMs(pid);
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration });
  const cpuAfter = pid === null ? null : processCpuMs(pid);
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const cpuUs =
    cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / r.requests.total;
  return { rps: r.requests.average, cpuUs };
}

/** One connection, one request at a time, each timed with hrtime: p50/p99 in fractions of a ms. */
async function latency({ url, headers }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples = [];
  const end = performance.now() + DURATION_S * 1000;
  try {
    while (performance.now() < end) {
      const started = process.hrtime.bigint();
      await new Promise((resolve, reject) => {
        const req = request(url, { headers, agent }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode}`));
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.end();
      });
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    agent.destroy();
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), n: samples.length };
}

// ---- (b) chat -----------------------------------------------------------------------------------
/**
 * One streamed request; resolves with the ms from sending to the first body byte and to the first
 * text (`isText(line)` on a complete SSE line), and to the end of the answer.
 */
function streamed(url, headers, body, isText) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByte = null;
    let firstText = null;
    let buffered = "";
    const req = request(
      url,
      { method: "POST", headers: { ...headers, "content-type": "application/json" } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`${url}: ${res.statusCode}`));
        }
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          firstByte ??= performance.now() - started;
          if (firstText !== null) return;
          buffered += chunk;
          const lines = buffered.split("\n");
          buffered = lines.pop() ?? "";
          if (lines.some(isText)) firstText = performance.now() - started;
        });
        res.on("end", () => {
          if (firstText === null) return reject(new Error(`${url}: no text in the answer`));
          resolve({ firstByte, firstText, total: performance.now() - started });
        });
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** Nora's own body for an OpenClaw turn (packages/domain/src/runtime-access/chat.ts `turnRequest`). */
const gatewayTurn = (message) => ({
  model: "openclaw/default",
  user: `nora:${randomUUID()}`,
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: message }],
});

const chatSides = (name, token) => ({
  direct: () =>
    streamed(
      directUrl(name, "/v1/chat/completions"),
      { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      gatewayTurn(`bench turn ${randomUUID()}`),
      (line) => {
        if (!line.startsWith("data: {")) return false;
        return Boolean(JSON.parse(line.slice(6)).choices?.[0]?.delta?.content);
      },
    ),
  proxy: () =>
    streamed(
      `${seed.base}/api/agents/${seed.agents[name]}/chat`,
      viaApi,
      { message: `bench turn ${randomUUID()}` },
      (line) => line === "event: delta",
    ),
});

const chats = {
  sse: { title: "loopback OpenAI-compatible SSE upstream (the test LLM)", sides: chatSides("sse", sseToken) },
  ...(openclaw
    ? {
        openclaw: {
          title: "real OpenClaw gateway with the test LLM",
          sides: chatSides("openclaw", openclaw.gatewayToken),
        },
      }
    : {}),
};

// ---- the run ------------------------------------------------------------------------------------
const load = {};
const single = {};
const turns = {};
try {
  for (const [suite, { targets }] of Object.entries(suites)) {
    load[suite] = {};
    single[suite] = {};
    for (const name of Object.keys(targets)) {
      load[suite][name] = [];
      single[suite][name] = [];
      await throughput(targets[name], WARM_UP_S);
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [suite, { targets }] of Object.entries(suites)) {
      for (const name of Object.keys(targets)) load[suite][name].push(await throughput(targets[name]));
      for (const name of Object.keys(targets)) single[suite][name].push(await latency(targets[name]));
    }
    process.stderr.write(`HTTP round ${round + 1}/${ROUNDS} done\n`);
  }
  for (const [chat, { sides }] of Object.entries(chats)) {
    turns[chat] = { direct: [], proxy: [] };
    // One warm-up turn each way, then alternating turns.
    await sides.direct();
    await sides.proxy();
    for (let i = 0; i < CHAT_TURNS; i++) {
      for (const side of i % 2 === 0 ? ["direct", "proxy"] : ["proxy", "direct"]) {
        turns[chat][side].push(await sides[side]());
      }
    }
    process.stderr.write(`chat ${chat}: ${CHAT_TURNS} turns each way done\n`);
  }
} finally {
  await cleanup();
}

// ---- the report ---------------------------------------------------------------------------------
const best = (list) => list.reduce((a, b) => (b.rps > a.rps ? b : a));
const med = (list, key) => median(list.map((r) => r[key]));
const ms = (value) => `${value.toFixed(2)} ms`;
const cpu = (r) => (r.cpuUs === null ? "" : `  server CPU ${r.cpuUs.toFixed(0)} µs/req`);
const verdicts = [];

console.log(
  `(a) HTTP GET /v1/models: ${CONNECTIONS} connections (throughput), 1 connection (latency), ${DURATION_S} s x ${ROUNDS} rounds`,
);
for (const [suite, { title, targets }] of Object.entries(suites)) {
  const direct = best(load[suite].direct);
  const proxy = best(load[suite].proxy);
  const ratio = proxy.rps / direct.rps;
  const lat = (name) => ({ p50: med(single[suite][name], "p50"), p99: med(single[suite][name], "p99") });
  const added = lat("proxy").p50 - lat("direct").p50;
  console.log(`  ${title}`);
  console.log(
    `    direct            : ${direct.rps.toFixed(0).padStart(7)} req/s  p50 ${ms(lat("direct").p50)}  p99 ${ms(lat("direct").p99)}${cpu(direct)}`,
  );
  console.log(
    `    through the proxy : ${proxy.rps.toFixed(0).padStart(7)} req/s  p50 ${ms(lat("proxy").p50)}  p99 ${ms(lat("proxy").p99)}${cpu(proxy)}`,
  );
  if (targets.agentRead) {
    const read = best(load[suite].agentRead);
    console.log(
      `    GET /api/agents/:id: ${read.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(lat("agentRead").p50)}  p99 ${ms(lat("agentRead").p99)}${cpu(read)}  (the proxy is ${((proxy.rps / read.rps) * 100).toFixed(1)}% of it)`,
    );
  }
  const pass = ratio >= 0.7 && added < 2;
  verdicts.push(pass);
  console.log(
    `    proxy/direct ${(ratio * 100).toFixed(1)}% of throughput, added p50 ${ms(added)}: ${pass ? "PASS" : "BELOW TARGET"} (>= 70%, < 2 ms)`,
  );
}
if (openclawSkipped) console.log(`  real OpenClaw gateway: skipped (${openclawSkipped})`);

console.log(
  `(b) chat turn, time to first SSE byte and to first text, median of ${CHAT_TURNS} turns each way`,
);
for (const [chat, { title }] of Object.entries(chats)) {
  const side = (name) => {
    const texts = turns[chat][name].map((t) => t.firstText).sort((x, y) => x - y);
    const at = (q) => texts[Math.min(texts.length - 1, Math.floor(q * texts.length))];
    return {
      firstByte: med(turns[chat][name], "firstByte"),
      firstText: med(turns[chat][name], "firstText"),
      spread: `${at(0.25).toFixed(1)}–${at(0.75).toFixed(1)} ms`,
      total: med(turns[chat][name], "total"),
    };
  };
  const direct = side("direct");
  const proxy = side("proxy");
  const added = proxy.firstText - direct.firstText;
  console.log(`  ${title}`);
  console.log(
    `    direct /v1/chat/completions : first byte ${ms(direct.firstByte)}, first text ${ms(direct.firstText)} (middle half ${direct.spread}), whole turn ${ms(direct.total)}`,
  );
  console.log(
    `    POST /api/agents/:id/chat   : first byte ${ms(proxy.firstByte)} (its session event), first text ${ms(proxy.firstText)} (middle half ${proxy.spread}), whole turn ${ms(proxy.total)}`,
  );
  const pass = added < 2;
  verdicts.push(pass);
  console.log(`    added to the first text ${ms(added)}: ${pass ? "PASS" : "BELOW TARGET"} (< 2 ms)`);
}
if (openclawSkipped) console.log(`  real OpenClaw gateway: skipped (${openclawSkipped})`);
process.exitCode = verdicts.every(Boolean) ? 0 : 1;
