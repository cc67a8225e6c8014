// The real app with every middleware (rate limits raised so they never refuse), seeded with a user, a
// workspace, an API key (agents:read) and a running agent whose gateway is the bench upstream.
import { createRequire } from "node:module";

const { buildFullApp, seedAccount } = await import("../lib/full-app.mjs");
const upstreamPort = Number(process.env.BENCH_UPSTREAM_PORT);
const { app, config, close } = await buildFullApp("nora_bench_proxy", {
  ENCRYPTION_KEY: "5b".repeat(32),
  GATEWAY_ALLOWED_PORTS: String(upstreamPort),
});
const core = await import("../../packages/core/dist/index.js");
const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
const pg = require("pg");

const server = app.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const { workspaceId, apiKey } = await seedAccount(base, config, ["agents:read"]);
  const pool = new pg.Pool({ connectionString: config.database.url, max: 1 });
  const { rows } = await pool.query(
    `INSERT INTO agents (workspace_id, name, status, runtime_family, gateway_url)
     VALUES ($1, 'bench agent', 'running', 'openclaw', $2) RETURNING id`,
    [workspaceId, `http://127.0.0.1:${upstreamPort}`],
  );
  const agentId = rows[0].id;
  const sealed = core.Keyring.fromConfig(config).seal("t".repeat(64), {
    table: "agents",
    column: "gateway_token_sealed",
    rowId: agentId,
  });
  await pool.query("UPDATE agents SET gateway_token_sealed = $2 WHERE id = $1", [agentId, sealed]);
  await pool.end();
  process.send({ base, apiKey, agentId });
});
const stop = () => close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
