import type { JobsOptions } from "bullmq";
import { z } from "zod";
import type { Config } from "../config/index.js";

const id = z.string().uuid();

/**
 * The five queues of the architecture, declared once. Payloads are strict objects of ids:
 * jobs never carry secrets; a worker reads and decrypts what it needs from PostgreSQL.
 */
export const QUEUES = {
  deployments: {
    name: "deployments",
    job: "deploy-agent",
    payload: z.strictObject({ deploymentId: id, agentId: id }),
    concurrency: (c: Config) => c.workers.deploymentConcurrency,
    attempts: () => 5,
    backoffMs: 3_000,
    worker: "provisioner",
    // A provisioner killed mid-job loses its lock after this; another (or the restarted) one retries it.
    lockMs: (c: Config) => c.provisioning.jobLockMs,
    // A job may be orphaned by a crash more than once before it counts as failed.
    maxStalledCount: 10,
  },
  clawhubJobs: {
    name: "clawhub-jobs",
    job: "install-skill",
    payload: z.strictObject({ installId: id, agentId: id }),
    concurrency: () => 1,
    // The operator retries a failed skill install by hand.
    attempts: () => 1,
    backoffMs: 0,
    worker: "provisioner",
  },
  backups: {
    name: "backups",
    job: "run-backup",
    payload: z.strictObject({ backupId: id, agentId: id }),
    concurrency: (c: Config) => c.workers.backupConcurrency,
    attempts: () => 2,
    backoffMs: 5_000,
    worker: "backup",
  },
  alertDeliveries: {
    name: "alert-deliveries",
    job: "deliver-webhook",
    payload: z.strictObject({ deliveryId: id }),
    concurrency: (c: Config) => c.workers.alertDeliveryConcurrency,
    attempts: (c: Config) => c.workers.alertDeliveryAttempts,
    backoffMs: 1_000,
    worker: "provisioner",
  },
  // The API holds no kubeconfig, so a cluster's connectivity check runs where they are: the provisioner.
  clusters: {
    name: "clusters",
    job: "check-cluster",
    payload: z.strictObject({ clusterId: id, checkId: id }),
    concurrency: () => 2,
    // The admin is waiting for this answer; a failed check is reported, and asked again by hand.
    attempts: () => 1,
    backoffMs: 0,
    worker: "provisioner",
  },
} as const;

export type QueueKey = keyof typeof QUEUES;

/** BullMQ's lock duration and stalled-job handling of a queue (its defaults unless the queue says). */
export function lockSettings(
  key: QueueKey,
  config: Config,
): { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number } {
  const def = QUEUES[key];
  if (!("lockMs" in def)) return {};
  return {
    lockDuration: def.lockMs(config),
    stalledInterval: def.lockMs(config),
    maxStalledCount: def.maxStalledCount,
  };
}
export type QueueDefinition<K extends QueueKey = QueueKey> = (typeof QUEUES)[K];
export type JobPayload<K extends QueueKey> = z.infer<(typeof QUEUES)[K]["payload"]>;
export type WorkerName = QueueDefinition["worker"];

export function queueKeysFor(worker: WorkerName): QueueKey[] {
  return (Object.keys(QUEUES) as QueueKey[]).filter((key) => QUEUES[key].worker === worker);
}

/** Job options every enqueue of this queue uses. Failed jobs are kept for the dead-letter view. */
export function jobOptions(key: QueueKey, config: Config): JobsOptions {
  const def = QUEUES[key];
  const attempts = def.attempts(config);
  return {
    attempts,
    ...(attempts > 1 ? { backoff: { type: "exponential", delay: def.backoffMs } } : {}),
    removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
    removeOnFail: false,
  };
}
