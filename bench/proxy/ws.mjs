// bench/proxy/ws.mjs: RPC round trips over an agent's gateway WebSocket through Nora's door
// (`/api/ws/agents/:id/gateway`: API-key authentication, the agent judged, Nora's connect written and
// signed, every frame relayed with backpressure and the credential scan) vs. directly to the same
// gateway in the same run, alternating rounds. Latency: BENCH_RTT sequential round trips (p50/p99);
// throughput: BENCH_MESSAGES requests with BENCH_WINDOW in flight (messages/s); handshake: connect to
// hello-ok. The gateway is a loopback stand-in (ws-upstream.mjs), or the real OpenClaw gateway of the
// offline image when BENCH_OPENCLAW_IMAGE names it (a container this bench starts on an internal
// Docker network, its `health` RPC). The API is its own process; the client is this one.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { median, processCpuMs } from "../lib/cpu.mjs";
import { startChild } from "../lib/fork.mjs";

const RTT = Number(process.env.BENCH_RTT ?? 2000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 20);
const IMAGE = process.env.BENCH_OPENCLAW_IMAGE;

const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
const { WebSocket } = require("ws");
const runtime = await import("../../agent-runtime/dist/index.js");

const start = (script, env) => startChild(script, import.meta.url, env);

const token = randomBytes(32).toString("hex");
const deviceKey = runtime.generateGatewayDeviceKey();
const device = runtime.gatewayDeviceIdentity(deviceKey.privateKeyPem);
const children = [];
let container;

/** One client connection: resolves after hello-ok; `call` is one RPC round trip. */
function connectClient(url, headers, connectFrame) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const pending = new Map();
    let seq = 0;
    ws.on("error", reject);
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (frame.event === "connect.challenge") return ws.send(JSON.stringify(connectFrame(frame)));
      if (frame.id === "connect") {
        if (!frame.ok) return reject(new Error(`connect refused: ${JSON.stringify(frame.error)}`));
        return resolve({
          call(method) {
            const id = String(seq++);
            return new Promise((done) => {
              pending.set(id, done);
              ws.send(JSON.stringify({ type: "req", id, method, params: {} }));
            });
          },
          close: () => ws.close(),
        });
      }
      const done = pending.get(frame.id);
      if (done) {
        pending.delete(frame.id);
        if (!frame.ok) throw new Error(`rpc failed: ${JSON.stringify(frame.error)}`);
        done();
      }
    });
  });
}

const connectParams = {
  minProtocol: 4,
  maxProtocol: 4,
  client: { id: "gateway-client", mode: "backend", version: "bench" },
  scopes: ["operator.read"],
};
/** What a script sends Nora: a plain connect (Nora writes the real one). */
const viaNora = () => ({ type: "req", id: "connect", method: "connect", params: connectParams });
/** What Nora itself would send the gateway: the same frame-building code, signed by the same device. */
const direct = (challenge) =>
  runtime.noraConnectFrame({
    client: runtime.clientConnectSchema.parse(viaNora()),
    challenge,
    identity: "backend",
    scopes: ["operator.read"],
    token,
    device,
  });

async function measure(target, method) {
  const t0 = process.hrtime.bigint();
  const client = await connectClient(target.url, target.headers, target.frame);
  const handshakeMs = Number(process.hrtime.bigint() - t0) / 1e6;
  for (let i = 0; i < 100; i++) await client.call(method); // warm-up
  const rtt = [];
  for (let i = 0; i < RTT; i++) {
    const s = process.hrtime.bigint();
    await client.call(method);
    rtt.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  rtt.sort((a, b) => a - b);
  const cpuBefore = processCpuMs(target.pid);
  const started = process.hrtime.bigint();
  let sent = 0;
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (sent < MESSAGES) {
        sent++;
        await client.call(method);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = processCpuMs(target.pid);
  client.close();
  return {
    handshakeMs,
    p50: rtt[Math.floor(rtt.length * 0.5)],
    p99: rtt[Math.floor(rtt.length * 0.99)],
    perSecond: MESSAGES / seconds,
    cpuUs: cpuBefore === null ? null : ((cpuAfter - cpuBefore) * 1000) / MESSAGES,
  };
}

async function handshakes(target) {
  const times = [];
  for (let i = 0; i < HANDSHAKES; i++) {
    const t0 = process.hrtime.bigint();
    const client = await connectClient(target.url, target.headers, target.frame);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    client.close();
  }
  return median(times);
}

function docker(...args) {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

/** The real gateway: the image's `openclaw gateway run` with a minimal config, on an internal network. */
async function startOpenclaw() {
  const name = `nora-bench-ws-${process.pid}`;
  docker("network", "create", "--internal", name);
  const config = JSON.stringify({
    gateway: {
      mode: "local",
      bind: "lan",
      port: 18789,
      // OpenClaw's own environment reference, not a template.
      auth: { mode: "token", token: `$\{OPENCLAW_GATEWAY_TOKEN}` },
      controlUi: { allowedOrigins: [] },
    },
    update: { checkOnStart: false },
    discovery: { mdns: { mode: "off" } },
    telemetry: { enabled: false },
    models: { mode: "merge", catalogRefresh: { enabled: false }, providers: {} },
    agents: { defaults: { workspace: "/tmp/workspace" } },
  });
  docker(
    "run",
    "-d",
    "--name",
    name,
    "--network",
    name,
    "--hostname",
    "nora-runtime",
    "--dns",
    "127.0.0.1",
    "--memory",
    "2g",
    "--tmpfs",
    "/tmp",
    "--tmpfs",
    "/state:uid=1000,gid=1000",
    "-e",
    "OPENCLAW_STATE_DIR=/state/openclaw",
    "-e",
    "HOME=/state/home",
    "-e",
    `OPENCLAW_GATEWAY_TOKEN=${token}`,
    "-e",
    "OPENCLAW_CONFIG_PATH=/tmp/openclaw.json",
    "-e",
    "OPENCLAW_DISABLE_BONJOUR=1",
    "-e",
    "DO_NOT_TRACK=1",
    "--entrypoint",
    "/bin/sh",
    IMAGE,
    "-c",
    `printf '%s' '${config}' > /tmp/openclaw.json && exec /usr/local/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs gateway run`,
  );
  const ip = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name);
  const subnet = docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", name);
  container = name;
  const url = `ws://${ip}:18789/`;
  const deadline = Date.now() + 120_000;
  // Ready once the gateway answers a connect: the first asks it to pair this device (approved below,
  // as the runtime approves it), later ones may find its sidecars still starting.
  for (;;) {
    try {
      await connectClient(url, {}, direct).then((c) => c.close());
      break;
    } catch (error) {
      const text = String(error.message ?? error);
      const pairing = /"requestId":"([^"]+)"/.exec(text)?.[1];
      if (pairing) approve(name, pairing);
      else if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  return { url, ip, subnet };
}

function approve(name, requestId) {
  const script = `const sdk = await import("/opt/openclaw/node_modules/openclaw/dist/plugin-sdk/device-bootstrap.js");
const scopes = ${JSON.stringify(runtime.NORA_GATEWAY_DEVICE_SCOPES)};
const r = await sdk.approveDevicePairing(${JSON.stringify(requestId)}, { callerScopes: scopes, autoApproveNewDeviceScopes: scopes });
if (r?.status !== "approved") throw new Error("not approved");
process.exit(0);`;
  execFileSync(
    "docker",
    [
      "exec",
      "-i",
      "-e",
      "OPENCLAW_STATE_DIR=/state/openclaw",
      "-e",
      "HOME=/state/home",
      name,
      "/usr/local/bin/node",
      "--input-type=module",
      "-",
    ],
    { input: script },
  );
}

try {
  let gateway;
  const method = "health";
  if (IMAGE) {
    gateway = await startOpenclaw();
  } else {
    const upstream = start("./ws-upstream.mjs", { BENCH_GATEWAY_TOKEN: token });
    children.push(upstream.child);
    gateway = { url: `ws://127.0.0.1:${(await upstream.ready).port}/`, pid: upstream.child.pid };
  }
  const api = start("./ws-server.mjs", {
    BENCH_GATEWAY_URL: gateway.url.replace(/^ws:/, "http:"),
    BENCH_GATEWAY_TOKEN: token,
    BENCH_DEVICE_KEY_PEM: deviceKey.privateKeyPem,
    ...(gateway.subnet ? { BENCH_ALLOWED_CIDRS: `127.0.0.0/8,${gateway.subnet}` } : {}),
  });
  children.push(api.child);
  const seed = await api.ready;
  const targets = {
    direct: { url: gateway.url, headers: {}, frame: direct, pid: gateway.pid },
    nora: {
      url: `${seed.base.replace(/^http:/, "ws:")}/api/ws/agents/${seed.agentId}/gateway`,
      headers: { authorization: `Bearer ${seed.apiKey}` },
      frame: viaNora,
      pid: api.child.pid,
    },
  };
  const results = { direct: [], nora: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ["direct", "nora"]) results[name].push(await measure(targets[name], method));
  }
  const hs = { direct: await handshakes(targets.direct), nora: await handshakes(targets.nora) };
  const med = (name, key) => median(results[name].map((r) => r[key]));
  const d = { p50: med("direct", "p50"), p99: med("direct", "p99"), rate: med("direct", "perSecond") };
  const n = { p50: med("nora", "p50"), p99: med("nora", "p99"), rate: med("nora", "perSecond") };
  const cpu = med("nora", "cpuUs");
  console.log(
    `${IMAGE ? `the real OpenClaw gateway (${IMAGE})` : "a loopback gateway stand-in"}, RPC "${method}": ${RTT} sequential round trips, ${MESSAGES} with ${WINDOW} in flight, ${ROUNDS} rounds`,
  );
  console.log(
    `  direct      : p50 ${d.p50.toFixed(0)} µs  p99 ${d.p99.toFixed(0)} µs  ${d.rate.toFixed(0)} msg/s  handshake ${hs.direct.toFixed(1)} ms`,
  );
  console.log(
    `  through Nora: p50 ${n.p50.toFixed(0)} µs  p99 ${n.p99.toFixed(0)} µs  ${n.rate.toFixed(0)} msg/s  handshake ${hs.nora.toFixed(1)} ms${cpu === null ? "" : `  API CPU ${cpu.toFixed(1)} µs/msg`}`,
  );
  console.log(
    `  ratios      : p50 x${(n.p50 / d.p50).toFixed(2)} (+${(n.p50 - d.p50).toFixed(0)} µs), p99 x${(n.p99 / d.p99).toFixed(2)}, throughput ${((n.rate / d.rate) * 100).toFixed(1)}% of direct, handshake +${(hs.nora - hs.direct).toFixed(1)} ms`,
  );
} finally {
  for (const child of children) {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  if (container) {
    docker("rm", "-f", container);
    docker("network", "rm", container);
  }
}
