import { Queue } from "bullmq";
import type { Config } from "../config/index.js";
import type { Redis } from "../redis/connection.js";
import { type JobPayload, jobOptions, QUEUES, type QueueKey } from "./definitions.js";

/** Producer side of one queue: validates the payload against the queue's schema before it reaches Redis. */
export class NoraQueue<K extends QueueKey> {
  readonly queue: Queue;
  constructor(
    readonly key: K,
    config: Config,
    connection: Redis,
  ) {
    this.queue = new Queue(QUEUES[key].name, {
      connection,
      prefix: config.redis.keyPrefix,
      defaultJobOptions: jobOptions(key, config),
    });
  }

  /** Enqueues a job; `jobId` makes the enqueue idempotent (a second add with the same id is a no-op). */
  async add(payload: JobPayload<K>, options: { jobId?: string; delayMs?: number } = {}) {
    const data = QUEUES[this.key].payload.parse(payload);
    return this.queue.add(QUEUES[this.key].job, data, {
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(options.delayMs ? { delay: options.delayMs } : {}),
    });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export type NoraQueues = { [K in QueueKey]: NoraQueue<K> };

export function createQueues(config: Config, connection: Redis): NoraQueues {
  return {
    deployments: new NoraQueue("deployments", config, connection),
    clawhubJobs: new NoraQueue("clawhubJobs", config, connection),
    backups: new NoraQueue("backups", config, connection),
    alertDeliveries: new NoraQueue("alertDeliveries", config, connection),
    clusters: new NoraQueue("clusters", config, connection),
  };
}

export async function closeQueues(queues: NoraQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
