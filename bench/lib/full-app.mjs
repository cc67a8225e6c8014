// Nora's real API as server.ts assembles it (every middleware, the Redis rate limiter, the auth cache and
// its change listener, JSON logs to stdout), on a fresh database of its own. Rate limits are raised so
// the limiter runs (a Redis round trip per request) but never refuses: benchmarks measure its cost.
import { createRequire } from "node:module";
import { freshBenchDatabase } from "./bench-database.mjs";

/**
 * The benchmark route: a request to it passes every middleware layer the API has (request id, access
 * log, security headers, CORS, every applicable rate-limit layer, body handling, authentication) and
 * answers what a bare Express route answers. The probes (/api/health, /api/ready) skip the rate limiter,
 * so they no longer measure the whole stack. It is moved to just after authentication, where the first
 * routes sit: a benchmark of the middleware stack, not of how far down the route table a route is
 * (walking every router to the last route costs ~65 µs of CPU per request on its own).
 */
export const BENCH_PATH = "/api/bench/ping";

export function benchRouter() {
  const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
  const { Router } = require("express");
  return Router().get(BENCH_PATH, (_req, res) => res.json({ status: "ok" }));
}

export async function buildFullApp(databaseName, env = {}) {
  const core = await import("../../packages/core/dist/index.js");
  // BENCH_API_DIST: another build of backend-api (bench/api-baseline's BENCH_COMPARE_DIST).
  const dist = new URL(`../../${process.env.BENCH_API_DIST ?? "backend-api/dist"}/`, import.meta.url);
  const { buildApp, createApiDomain } = await import(new URL("app.js", dist).href);
  const { createAuthCache, listenForAuthChanges } = await import(new URL("http/auth-cache.js", dist).href);
  const database = await freshBenchDatabase(databaseName);
  const config = core.loadConfig({
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    REDIS_KEY_PREFIX: `nora-bench-${process.pid}`,
    LOG_LEVEL: "info",
    RATE_LIMIT_GLOBAL_PER_MINUTE: "100000000",
    RATE_LIMIT_GLOBAL_BURST: "100000000",
    NORA_ALLOW_PLAINTEXT_SECRETS: "true",
    JWT_SECRET: "bench-Vq3n8Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2",
    NORA_API_KEY_HASH_SECRET: "bench-Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2Vq3n8",
    ...env,
  });
  const logger = core.createLogger({ service: "api", level: config.logLevel });
  const pool = core.createPool(config.database, "nora-bench");
  await core.migrate(pool);
  const redis = core.createRedis(config.redis, "bench");
  await core.waitForRedis(redis);
  const authCache = createAuthCache(config, redis);
  const listener = listenForAuthChanges(config, authCache, logger);
  while (!authCache.isListening) await new Promise((r) => setTimeout(r, 10));
  const domain = createApiDomain({ config, logger, pool, redis, authCache });
  const app = buildApp({ config, logger, pool, redis, authCache, domain, extraRoutes: [benchRouter()] });
  moveBenchRouteAfterAuthentication(app);
  return {
    app,
    config,
    /** What server.ts hands the WebSocket door. */
    domain,
    authCache,
    logger,
    async close() {
      await listener.stop();
      await domain.close();
      await pool.end();
      redis.disconnect();
      await database.drop();
    },
  };
}

/** Express' own layer list: health's router, then the authentication middleware, then the routes. */
function moveBenchRouteAfterAuthentication(app) {
  const stack = app.router.stack;
  const routes = (layer) => (layer.handle?.stack ?? []).map((l) => l.route?.path);
  const bench = stack.findIndex((layer) => routes(layer).includes(BENCH_PATH));
  const [benchLayer] = stack.splice(bench, 1);
  const health = stack.findIndex((layer) => routes(layer).includes("/api/health"));
  const authentication = stack[health + 1];
  if (bench < 0 || health < 0 || !authentication || authentication.handle?.stack) {
    throw new Error("bench: the app no longer mounts health's router and then authentication");
  }
  stack.splice(health + 2, 0, benchLayer);
}

/**
 * Signs a bench user up and in through the app, creates a workspace and an API key with `scopes`:
 * the seed the bench servers share.
 */
export async function seedAccount(base, config, scopes) {
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
      body: JSON.stringify({ description: "bench", scopes }),
    })
  ).json();
  return { cookie, workspaceId, apiKey: created.key };
}
