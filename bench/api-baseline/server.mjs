// One benchmark target per process: `bare` (Express, one route, no middleware) or `full`
// (Nora's real app with every middleware, rate limiting on Redis and JSON logging to /dev/null).
import { createRequire } from "node:module";

const mode = process.argv[2];
const require = createRequire(new URL("../../backend-api/package.json", import.meta.url));
const express = require("express");

let app;
if (mode === "bare") {
  app = express();
  app.get("/api/health", (_req, res) => res.json({ status: "ok" }));
} else if (mode === "full") {
  const core = await import("../../packages/core/dist/index.js");
  const { buildApp } = await import("../../backend-api/dist/app.js");
  const config = core.loadConfig({
    ...process.env,
    NODE_ENV: "production",
    REDIS_KEY_PREFIX: `nora-bench-${process.pid}`,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    // The limiter runs (a Redis round trip per layer) but never refuses: we measure its cost, not its effect.
    RATE_LIMIT_GLOBAL_PER_MINUTE: "100000000",
    RATE_LIMIT_GLOBAL_BURST: "100000000",
    NORA_ALLOW_PLAINTEXT_SECRETS: "true",
    RATE_LIMIT_ENABLED: process.env.BENCH_RATE_LIMIT ?? "true",
    JWT_SECRET: "bench-Vq3n8Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2",
  });
  const logger = core.createLogger({ service: "api", level: config.logLevel });
  const pool = core.createPool(config.database, "nora-bench");
  await core.migrate(pool);
  const redis = core.createRedis(config.redis, "bench");
  await core.waitForRedis(redis);
  app = buildApp({ config, logger, pool, redis });
} else {
  throw new Error("usage: server.mjs bare|full");
}

const server = app.listen(0, "127.0.0.1", () => {
  process.send?.({ port: server.address().port });
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
