import { createServer, type Server } from "node:http";
import { DelayedError, type Job, Worker } from "bullmq";
import type { Config } from "../config/index.js";
import type { Logger } from "../logging/logger.js";
import {
  type JobPayload,
  lockSettings,
  QUEUES,
  type QueueKey,
  type WorkerName,
} from "../queues/definitions.js";
import { closeRedis, createRedis, type Redis, waitForRedis } from "../redis/connection.js";

export interface JobContext {
  job: Job;
  /** Aborted when the worker is shutting down and the grace period ran out: stop and return. */
  signal: AbortSignal;
  logger: Logger;
}

export type JobHandler<K extends QueueKey> = (
  payload: JobPayload<K>,
  context: JobContext,
) => Promise<unknown>;
export type JobHandlers = { [K in QueueKey]?: JobHandler<K> };

export interface WorkerServiceOptions {
  name: WorkerName;
  config: Config;
  logger: Logger;
  handlers: JobHandlers;
  health: { host: string; port: number };
  /** Extra readiness checks (e.g. PostgreSQL); each resolves or throws. */
  checks?: Record<string, () => Promise<void>>;
}

export interface WorkerService {
  /** The health endpoint's bound port (useful when configured as 0). */
  healthPort: number;
  workers: Map<QueueKey, Worker>;
  /** Stops taking jobs, waits for in-flight jobs up to the shutdown timeout, then releases the rest. */
  stop(): Promise<void>;
}

/**
 * Runs one BullMQ Worker per queue this service has a handler for, plus a small health endpoint.
 * A queue without a handler is left untouched: its jobs wait for a worker that can run them.
 */
export async function startWorkerService(options: WorkerServiceOptions): Promise<WorkerService> {
  const { config, logger } = options;
  const connection = createRedis(config.redis, `worker-${options.name}`, "bullmq");
  const probe = createRedis(config.redis, `worker-${options.name}-health`, "command");
  let draining = false;
  const workers = new Map<QueueKey, Worker>();
  await waitForRedis(probe).catch((error: unknown) => {
    // Not fatal: BullMQ reconnects on its own and /health reports Redis until it answers.
    logger.error({ err: error }, "Redis is not reachable at REDIS_URL; /health will say so");
  });

  for (const key of Object.keys(options.handlers) as QueueKey[]) {
    const handler = options.handlers[key] as JobHandler<QueueKey> | undefined;
    if (!handler) continue;
    const def = QUEUES[key];
    const worker = new Worker(
      def.name,
      async (job: Job, token?: string, signal?: AbortSignal) => {
        const jobLogger = logger.child({ queue: def.name, jobId: job.id, attempt: job.attemptsMade + 1 });
        const payload = def.payload.parse(job.data);
        const abort = signal ?? new AbortController().signal;
        try {
          return await handler(payload, { job, signal: abort, logger: jobLogger });
        } catch (error) {
          if (draining && abort.aborted && token) {
            // Hand the job back to the queue, unfailed, for another worker (or this one after a restart).
            // A short delay rather than "waiting": this process' blocked fetch would otherwise grab it again.
            await job.moveToDelayed(Date.now() + RELEASE_DELAY_MS, token);
            jobLogger.warn("job released back to the queue at shutdown");
            throw new DelayedError();
          }
          throw error;
        }
      },
      {
        connection,
        prefix: config.redis.keyPrefix,
        concurrency: def.concurrency(config),
        ...lockSettings(key, config),
        autorun: true,
      },
    );
    worker.on("failed", (job, error) =>
      logger.warn({ queue: def.name, jobId: job?.id, err: error }, "job failed"),
    );
    worker.on("error", (error) => logger.error({ queue: def.name, err: error }, "worker error"));
    workers.set(key, worker);
  }

  const server = createServer(async (req, res) => {
    if (req.method !== "GET" || (req.url !== "/health" && req.url !== "/ready")) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
      return;
    }
    const checks: Record<string, "ok" | "failed"> = {};
    checks.redis = await probe
      .ping()
      .then(() => "ok" as const)
      .catch(() => "failed" as const);
    for (const [name, check] of Object.entries(options.checks ?? {})) {
      checks[name] = await check()
        .then(() => "ok" as const)
        .catch(() => "failed" as const);
    }
    const healthy = !draining && Object.values(checks).every((v) => v === "ok");
    const queues = Object.fromEntries([...workers].map(([key, w]) => [QUEUES[key].name, w.isRunning()]));
    res
      .writeHead(healthy ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" })
      .end(
        JSON.stringify({
          status: draining ? "draining" : healthy ? "ok" : "degraded",
          service: options.name,
          checks,
          queues,
        }),
      );
  });
  await listen(server, options.health.host, options.health.port);
  const address = server.address();
  const healthPort = typeof address === "object" && address ? address.port : options.health.port;
  logger.info({ queues: [...workers.keys()].map((k) => QUEUES[k].name), healthPort }, "worker started");

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      draining = true;
      logger.info("worker draining");
      const all = [...workers.values()];
      // Stop fetching first, so a job handed back below is not picked up again by this process.
      await Promise.all(all.map((w) => w.pause(true)));
      const closed = Promise.all(all.map((w) => w.close()));
      const finished = await settlesWithin(closed, config.shutdownTimeoutMs);
      if (!finished) {
        logger.warn({ timeoutMs: config.shutdownTimeoutMs }, "in-flight jobs still running; releasing them");
        for (const w of all) w.cancelAllJobs("shutdown");
        if (!(await settlesWithin(closed, RELEASE_GRACE_MS))) {
          // A handler that ignores its abort signal: its lock expires and BullMQ's stalled-job
          // check hands the job to another worker.
          logger.error("a job ignored its abort signal; it will be retried after its lock expires");
        }
      }
      await closeServer(server);
      await Promise.all([closeRedis(connection), closeRedis(probe)]);
      logger.info("worker stopped");
    })();
    return stopping;
  };

  return { healthPort, workers, stop };
}

const RELEASE_GRACE_MS = 2_000;
const RELEASE_DELAY_MS = 5_000;

/** True when `work` settles within `ms`; false when the time ran out first. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export type { Redis };
