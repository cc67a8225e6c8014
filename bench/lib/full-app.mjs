// Nora's real API as server.ts assembles it (every middleware, the Redis rate limiter, the auth cache and
// its change listener, JSON logs to stdout), on a fresh database of its own. Rate limits are raised so
// the limiter runs (a Redis round trip per request) but never refuses: benchmarks measure its cost.
import { freshBenchDatabase } from "./bench-database.mjs";

export async function buildFullApp(databaseName, env = {}) {
  const core = await import("../../packages/core/dist/index.js");
  const { buildApp } = await import("../../backend-api/dist/app.js");
  const { createAuthCache, listenForAuthChanges } = await import("../../backend-api/dist/http/auth-cache.js");
  const config = core.loadConfig({
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: await freshBenchDatabase(databaseName),
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
  listenForAuthChanges(config, authCache, logger);
  while (!authCache.isListening) await new Promise((r) => setTimeout(r, 10));
  return { app: buildApp({ config, logger, pool, redis, authCache }), config };
}
