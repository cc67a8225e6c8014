import { type Config, loadConfigOrExit } from "../config/index.js";
import { createPool, type Pool } from "../db/pool.js";
import { createLogger, type Logger } from "../logging/logger.js";
import type { WorkerName } from "../queues/definitions.js";
import { closeRedis, createRedis, type Redis } from "../redis/connection.js";
import { onShutdownSignal } from "./process-signals.js";
import { type JobHandlers, startWorkerService } from "./worker-service.js";

/**
 * The whole life of a worker process: config (refusing weak production secrets), logger, pool, the
 * BullMQ workers and health endpoint, and a graceful stop on SIGTERM/SIGINT.
 */
export async function runWorkerProcess(options: {
  name: WorkerName;
  healthPort: (config: Config) => number;
  /** Builds the handlers once; `redis` is a "command" connection for the domain (createDomain). */
  handlers: (deps: { pool: Pool; redis: Redis; logger: Logger; config: Config }) => JobHandlers;
}): Promise<void> {
  const service = `worker-${options.name}`;
  const config = loadConfigOrExit(service);
  const logger = createLogger({ service, level: config.logLevel });
  for (const warning of config.warnings) logger.warn(warning);

  const pool = createPool(config.database, `nora-${service}`);
  const redis = createRedis(config.redis, service, "command");
  const worker = await startWorkerService({
    name: options.name,
    config,
    logger,
    handlers: options.handlers({ pool, redis, logger, config }),
    health: { host: config.workers.healthHost, port: options.healthPort(config) },
    checks: {
      postgres: async () => {
        await pool.query("SELECT 1");
      },
    },
  });

  onShutdownSignal(logger, async () => {
    await worker.stop();
    await Promise.all([pool.end(), closeRedis(redis)]);
  });
}
