import type { AddressInfo } from "node:net";
import {
  type Config,
  closeRedis,
  createLogger,
  createRedis,
  type Logger,
  type NoraQueues,
  waitForRedis,
} from "@nora/core";
import { createTestDatabase, LogCapture, type TestDatabase, testConfig } from "@nora/core/testing";
import type { Domain } from "@nora/domain";
import type { Router } from "express";
import type { Redis } from "ioredis";
import { buildApp, createApiDomain } from "../src/app.js";
import { type AuthCache, createAuthCache, listenForAuthChanges } from "../src/http/auth-cache.js";

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface TestApp {
  url: string;
  config: Config;
  db: TestDatabase;
  redis: Redis;
  logs: LogCapture;
  logger: Logger;
  authCache: AuthCache;
  /** The app's domain (its services, its queue producer). */
  domain: Domain;
  close(): Promise<void>;
}

/**
 * The real app on an ephemeral loopback port, on its own cloned database and its own Redis key prefix.
 * `db` may be shared between instances (e.g. two replicas) by passing it in.
 */
export async function startTestApp(
  options: {
    env?: Record<string, string>;
    routes?: Router[];
    db?: TestDatabase;
    config?: Config;
    migrationsDir?: string;
    /** Queue producers for the domain (e.g. on an unreachable Redis); else the domain opens its own. */
    queues?: NoraQueues;
  } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = options.config ?? testConfig({ DATABASE_URL: db.url, LOG_LEVEL: "info", ...options.env });
  const logs = new LogCapture();
  const logger = createLogger({ service: "api", level: config.logLevel, destination: logs });
  const redis = createRedis(config.redis, "api-test");
  await waitForRedis(redis);
  // The production configuration: authentication cached while its change listener runs.
  const authCache = createAuthCache(config, redis);
  const authListener = listenForAuthChanges(config, authCache, logger);
  await waitUntil(() => authCache.isListening);
  const domain = createApiDomain({
    config,
    logger,
    pool: db.pool,
    redis,
    authCache,
    ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
    ...(options.queues ? { queues: options.queues } : {}),
  });
  const app = buildApp({
    config,
    logger,
    pool: db.pool,
    redis,
    authCache,
    domain,
    ...(options.routes ? { extraRoutes: options.routes } : {}),
  });
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    db,
    redis,
    logs,
    logger,
    authCache,
    domain,
    async close() {
      domain.events.endStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await authListener.stop();
      await domain.close();
      await closeRedis(redis);
      if (!options.db) await db.drop();
    },
  };
}

/** Rate limits are part of the stack under test only where a test says so. */
export const NO_RATE_LIMITS = { RATE_LIMIT_ENABLED: "false" } as const;
