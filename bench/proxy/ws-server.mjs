// The real app with every middleware and the WebSocket door as server.ts attaches it, seeded with a
// user, a workspace, an API key (agents:read, agents:write) and a running OpenClaw agent whose gateway
// is BENCH_GATEWAY_URL, with its token and device key sealed as the provisioner seals them.
import { createServer } from "node:http";
import { createRequire } from "node:module";

const { buildFullApp, seedAccount } = await import("../lib/full-app.mjs");
const gatewayUrl = process.env.BENCH_GATEWAY_URL;
const { port } = new URL(gatewayUrl);
const full = await buildFullApp("nora_bench_proxy_ws", {
  ENCRYPTION_KEY: "6c".repeat(32),
  GATEWAY_ALLOWED_PORTS: port,
  ...(process.env.BENCH_ALLOWED_CIDRS ? { GATEWAY_ALLOWED_CIDRS: process.env.BENCH_ALLOWED_CIDRS } : {}),
});
const { app, config, domain, authCache, logger } = full;
const core = await import("../../packages/core/dist/index.js");
const { createStreamDoor } = await import("../../backend-api/dist/ws/door.js");
const { agentStreams } = await import("../../backend-api/dist/ws/agent-streams.js");
const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
const pg = require("pg");

const door = createStreamDoor({ config, logger, domain, authCache, streams: agentStreams(domain, config) });
const server = createServer(app);
server.on("upgrade", door.upgrade);
server.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const { workspaceId, apiKey } = await seedAccount(base, config, ["agents:read", "agents:write"]);
  const pool = new pg.Pool({ connectionString: config.database.url, max: 1 });
  const { rows } = await pool.query(
    `INSERT INTO agents (workspace_id, name, status, runtime_family, gateway_url)
     VALUES ($1, 'bench agent', 'running', 'openclaw', $2) RETURNING id`,
    [workspaceId, gatewayUrl],
  );
  const agentId = rows[0].id;
  const keyring = core.Keyring.fromConfig(config);
  const seal = (column, value) => keyring.seal(value, { table: "agents", column, rowId: agentId });
  await pool.query(
    "UPDATE agents SET gateway_token_sealed = $2, gateway_device_key_sealed = $3 WHERE id = $1",
    [
      agentId,
      seal("gateway_token_sealed", process.env.BENCH_GATEWAY_TOKEN),
      seal("gateway_device_key_sealed", process.env.BENCH_DEVICE_KEY_PEM),
    ],
  );
  await pool.end();
  process.send({ base, apiKey, agentId });
});
const stop = () =>
  door
    .close()
    .then(() => full.close())
    .finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
