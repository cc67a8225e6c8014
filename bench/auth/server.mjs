// The real app with every middleware (rate limits raised so they never refuse), seeded with one user,
// one session, one workspace and one API key. Sends the credentials to the parent over IPC.
const core = await import("../../packages/core/dist/index.js");
const { buildApp } = await import("../../backend-api/dist/app.js");
const { freshBenchDatabase } = await import("../lib/bench-database.mjs");

const databaseUrl = await freshBenchDatabase("nora_bench_auth");
const config = core.loadConfig({
  ...process.env,
  NODE_ENV: "production",
  DATABASE_URL: databaseUrl,
  REDIS_KEY_PREFIX: `nora-bench-${process.pid}`,
  LOG_LEVEL: "info",
  RATE_LIMIT_GLOBAL_PER_MINUTE: "100000000",
  RATE_LIMIT_GLOBAL_BURST: "100000000",
  NORA_ALLOW_PLAINTEXT_SECRETS: "true",
  JWT_SECRET: "bench-Vq3n8Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2",
  NORA_API_KEY_HASH_SECRET: "bench-Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2Vq3n8",
});
const logger = core.createLogger({ service: "api", level: config.logLevel });
const pool = core.createPool(config.database, "nora-bench");
await core.migrate(pool);
const redis = core.createRedis(config.redis, "bench");
await core.waitForRedis(redis);
const { createAuthCache, listenForAuthChanges } = await import("../../backend-api/dist/http/auth-cache.js");
const authCache = createAuthCache(config, redis);
listenForAuthChanges(config, authCache, logger);
while (!authCache.isListening) await new Promise((r) => setTimeout(r, 10));
const app = buildApp({ config, logger, pool, redis, authCache });

const server = app.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const origin = new URL(config.api.publicUrl).origin;
  const json = { "content-type": "application/json", origin };
  const email = "bench@example.org";
  const password = "bench password 1234";
  await fetch(`${base}/api/auth/signup`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const ws = await (
    await fetch(`${base}/api/workspaces`, {
      method: "POST",
      headers: { ...json, cookie },
      body: '{"name":"Bench"}',
    })
  ).json();
  const workspaceId = ws.workspace.id;
  const created = await (
    await fetch(`${base}/api/workspaces/${workspaceId}/api-keys`, {
      method: "POST",
      headers: { ...json, cookie },
      body: JSON.stringify({ description: "bench", scopes: ["workspaces:read"] }),
    })
  ).json();
  process.send({ base, cookie, apiKey: created.key, workspaceId });
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
