import { Redis, type RedisOptions } from "ioredis";
import type { Config } from "../config/index.js";

export type { Redis } from "ioredis";

export type RedisRole =
  /** Request-path commands (rate limits, caches): fail fast when Redis is away instead of queueing. */
  | "command"
  /** BullMQ workers and queues: BullMQ requires maxRetriesPerRequest null and reconnects forever. */
  | "bullmq";

/** The one factory for Redis connections. Every connection is named, so `CLIENT LIST` tells who holds it. */
export function createRedis(redis: Config["redis"], name: string, role: RedisRole = "command"): Redis {
  const options: RedisOptions = {
    connectionName: `nora:${name}`,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
    ...(redis.password ? { password: redis.password } : {}),
    ...(role === "bullmq"
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 2_000,
          commandTimeout: 2_000,
          // Commands issued in the same tick (concurrent requests' rate-limit checks) share one write.
          enableAutoPipelining: true,
        }),
  };
  const client = new Redis(redis.url, options);
  // Connection errors are reported through readiness and health, not as unhandled 'error' events.
  client.on("error", () => {});
  return client;
}

export async function closeRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** Resolves once the client is connected and ready; rejects with a clear message after `timeoutMs`. */
export function waitForRedis(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(new Error(`Redis is not reachable after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", onReady);
  });
}
