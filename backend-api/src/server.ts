import type { Server } from "node:http";
import { parseEnabledSettings } from "@nora/agent-runtime";
import {
  closeRedis,
  createLogger,
  createPool,
  createRedis,
  exitAfterFlush,
  migrate,
  onShutdownSignal,
  waitForRedis,
} from "@nora/core";
import { buildApp, createApiDomain } from "./app.js";
import { loadConfigOrExit } from "./config.js";
import { createAuthCache, listenForAuthChanges } from "./http/auth-cache.js";
import { agentStreams } from "./ws/agent-streams.js";
import { createStreamDoor } from "./ws/door.js";

const config = loadConfigOrExit("api");
const catalog = parseEnabledSettings(config.runtimeCatalog);
if (!catalog.ok) {
  process.stderr.write(`nora api: refusing to start: ${catalog.error.message}\n`);
  process.exit(1);
}
const logger = createLogger({ service: "api", level: config.logLevel });
for (const warning of config.warnings) logger.warn(warning);

const pool = createPool(config.database, "nora-api");
const redis = createRedis(config.redis, "api", "command");

try {
  // The API does not serve until the schema is current. Replicas starting together wait on the lock.
  const result = await migrate(pool, {
    onApplied: (id, ms) => logger.info({ migration: id, ms }, "migration applied"),
  });
  logger.info({ applied: result.applied.length }, "migrations up to date");
} catch (error) {
  logger.fatal(
    { err: error },
    "cannot start: database migrations failed (is PostgreSQL reachable at DATABASE_URL?)",
  );
  await pool.end().catch(() => {});
  await closeRedis(redis);
  exitAfterFlush(logger, 1);
  await new Promise(() => {}); // exitAfterFlush ends the process
}

try {
  await waitForRedis(redis);
} catch (error) {
  // Not fatal: the API serves and /api/ready reports Redis until it comes back.
  logger.error({ err: error }, "Redis is not reachable at REDIS_URL; continuing, /api/ready will say so");
}

const authCache = createAuthCache(config, redis);
const domain = createApiDomain({ config, logger, pool, redis, authCache });
await domain.auth
  .ensureBootstrapAdmin()
  .catch((error: unknown) => logger.error({ err: error }, "could not create the bootstrap admin"));

const authListener = listenForAuthChanges(config, authCache, logger);
const app = buildApp({ config, logger, pool, redis, authCache, domain });
const server: Server = app.listen(config.api.port, config.api.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.api.port;
  logger.info({ host: config.api.host, port }, "api listening");
});
// WebSocket streams (logs, metrics...): every upgrade goes through the one door (src/ws/door.ts).
const streamDoor = createStreamDoor({
  config,
  logger,
  domain,
  authCache,
  streams: agentStreams(domain, config),
});
server.on("upgrade", streamDoor.upgrade);
server.on("error", (error) => {
  logger.fatal({ err: error }, "cannot listen");
  exitAfterFlush(logger, 1);
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 120_000;

onShutdownSignal(logger, async () => {
  // Stop accepting and let in-flight requests finish. A keep-alive connection becomes idle once its
  // request is answered; closing idle ones as they appear keeps a client's open socket from holding
  // the shutdown until its own keep-alive timeout.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Event streams never go idle by themselves: end them so their connections can close.
  domain.events.endStreams();
  // WebSocket streams likewise: each closes with 1001 and releases its upstream and its slot.
  const streamsClosed = streamDoor.close();
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  const drained = await Promise.race([
    closed.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), config.shutdownTimeoutMs).unref()),
  ]);
  clearInterval(sweeper);
  await streamsClosed;
  if (!drained) {
    logger.warn("requests still running at shutdown timeout; closing their connections");
    server.closeAllConnections();
  }
  await authListener.stop();
  await domain.close();
  await Promise.all([pool.end(), closeRedis(redis)]);
  logger.info("api stopped");
});
