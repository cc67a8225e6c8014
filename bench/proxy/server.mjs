// The real app with every middleware (rate limits raised so they never refuse), seeded with a user, a
// workspace, an API key (agents:read, agents:write) and one running OpenClaw agent per upstream the
// bench gives (BENCH_UPSTREAMS: JSON {name: {port, token}}), each agent's gateway that upstream, its
// token sealed as the provisioner seals it. Sends {base, apiKey, agents: {name: id}} to the parent.
import { createRequire } from "node:module";

const { buildFullApp, seedAccount } = await import("../lib/full-app.mjs");
const upstreams = JSON.parse(process.env.BENCH_UPSTREAMS ?? "{}");
const ports = Object.values(upstreams).map(({ port }) => port);
const { app, config, close } = await buildFullApp("nora_bench_proxy", {
  ENCRYPTION_KEY: "5b".repeat(32),
  GATEWAY_ALLOWED_PORTS: ports.join(","),
  RATE_LIMIT_MUTATING_PER_MINUTE: "100000000",
  RATE_LIMIT_MUTATING_BURST: "100000000",
});
const core = await import("../../packages/core/dist/index.js");
const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
const pg = require("pg");

const server = app.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const { workspaceId, apiKey } = await seedAccount(base, config, ["agents:read", "agents:write"]);
  const pool = new pg.Pool({ connectionString: config.database.url, max: 1 });
  const keyring = core.Keyring.fromConfig(config);
  const agents = {};
  for (const [name, { port, token }] of Object.entries(upstreams)) {
    const { rows } = await pool.query(
      `INSERT INTO agents (workspace_id, name, status, runtime_family, gateway_url)
       VALUES ($1, $2, 'running', 'openclaw', $3) RETURNING id`,
      [workspaceId, `bench ${name}`, `http://127.0.0.1:${port}`],
    );
    const agentId = rows[0].id;
    const sealed = keyring.seal(token, { table: "agents", column: "gateway_token_sealed", rowId: agentId });
    await pool.query("UPDATE agents SET gateway_token_sealed = $2 WHERE id = $1", [agentId, sealed]);
    agents[name] = agentId;
  }
  await pool.end();
  process.send({ base, apiKey, agents });
});
const stop = () => close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
