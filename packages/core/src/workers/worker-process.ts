import { type Config, loadConfigOrExit } from "../config/index.js";
import { createPool, type Pool } from "../db/pool.js";
import { createLogger, type Logger } from "../logging/logger.js";
import type { WorkerName } from "../queues/definitions.js";
import { closeRedis, createRedis, type Redis } from "../redis/connection.js";
import { onShutdownSignal } from "./process-signals.js";
import { type JobHandlers, startWorkerService } from "./worker-service.js";

/** Long-running work beside the queues (a reconciler, an event watcher): runs until `signal` aborts. */
export interface BackgroundTask {
  name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** What a worker process runs: queue handlers, background tasks, and what to close at the end. */
export interface WorkerParts {
  handlers: JobHandlers;
  tasks?: BackgroundTask[];
  close?: () => Promise<void>;
}

/**
 * The whole life of a worker process: config (refusing weak production secrets), logger, pool, the
 * BullMQ workers and health endpoint, and a graceful stop on SIGTERM/SIGINT.
 */
export async function runWorkerProcess(options: {
  name: WorkerName;
  healthPort: (config: Config) => number;
  /** Builds the handlers once; `redis` is a "command" connection for the domain (createDomain). */
  build: (deps: {
    pool: Pool;
    redis: Redis;
    logger: Logger;
    config: Config;
  }) => WorkerParts | Promise<WorkerParts>;
}): Promise<void> {
  const service = `worker-${options.name}`;
  const config = loadConfigOrExit(service);
  const logger = createLogger({ service, level: config.logLevel });
  for (const warning of config.warnings) logger.warn(warning);

  const pool = createPool(config.database, `nora-${service}`);
  const redis = createRedis(config.redis, service, "command");
  const parts = await options.build({ pool, redis, logger, config });
  const worker = await startWorkerService({
    name: options.name,
    config,
    logger,
    handlers: parts.handlers,
    health: { host: config.workers.healthHost, port: options.healthPort(config) },
    checks: {
      postgres: async () => {
        await pool.query("SELECT 1");
      },
    },
  });

  // Background tasks stop before the queues drain: nothing new is started while in-flight jobs finish.
  const background = new AbortController();
  const running = (parts.tasks ?? []).map((task) =>
    task.run(background.signal).catch((error: unknown) => {
      logger.error({ err: error, task: task.name }, "background task failed");
    }),
  );

  onShutdownSignal(logger, async () => {
    background.abort();
    await Promise.all(running);
    await worker.stop();
    await parts.close?.();
    await Promise.all([pool.end(), closeRedis(redis)]);
  });
}
