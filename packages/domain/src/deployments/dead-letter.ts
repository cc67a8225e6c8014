import { AppError, notFound, type Pool, QUEUES, type QueueKey, withTransaction } from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { type QueueAccess, TimeoutError, withTimeout } from "./queue-producer.js";
import { requeueDeployment } from "./repo.js";

const REDIS_TIMEOUT_MS = 5_000;

/** The parts of a BullMQ job the dead-letter view reads. */
interface JobLike {
  id?: string | undefined;
  name: string;
  data: unknown;
  attemptsMade: number;
  failedReason?: string | undefined;
  timestamp: number;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
}

const at = (ms: number | undefined) => (ms ? new Date(ms) : null);

function keyOf(queueName: string): QueueKey {
  const key = (Object.keys(QUEUES) as QueueKey[]).find((k) => QUEUES[k].name === queueName);
  if (!key) throw notFound("Queue not found");
  return key;
}

/** A failed job as admins see it: the payload only as the queue's id schema reads it (ids, never more). */
function publicJob(key: QueueKey, job: JobLike) {
  const payload = QUEUES[key].payload.safeParse(job.data);
  return {
    id: String(job.id),
    name: job.name,
    data: payload.success ? (payload.data as Record<string, string>) : {},
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason?.slice(0, 2000) ?? null,
    createdAt: new Date(job.timestamp),
    processedAt: at(job.processedOn),
    finishedAt: at(job.finishedOn),
  };
}

async function redisCall<T>(work: Promise<T>): Promise<T> {
  try {
    return await withTimeout(work, REDIS_TIMEOUT_MS, "the queue");
  } catch (error) {
    if (error instanceof TimeoutError) {
      throw new AppError(503, "queue_unavailable", "The queues cannot be reached right now (Redis)");
    }
    throw error;
  }
}

/** The dead-letter view: failed jobs kept by the queues (removeOnFail: false), and retrying one. */
export function createDeadLetterService(deps: { pool: Pool; producer: QueueAccess }) {
  const { pool, producer } = deps;
  const queueOf = (key: QueueKey) => producer.queues()[key].queue;

  return {
    async list(queueName: string, page: { limit?: number | undefined; offset?: number | undefined }) {
      const key = keyOf(queueName);
      const limit = page.limit ?? 50;
      const offset = page.offset ?? 0;
      const queue = queueOf(key);
      const [jobs, total] = await redisCall(
        Promise.all([queue.getFailed(offset, offset + limit - 1), queue.getFailedCount()]),
      );
      return { jobs: jobs.map((job) => publicJob(key, job as JobLike)), total };
    },

    /** Retries one failed job; a `deploy-agent` job's deployment goes back to `queued` first. */
    async retry(queueName: string, jobId: string, ctx: ActionContext) {
      const key = keyOf(queueName);
      const queue = queueOf(key);
      const job = await redisCall(queue.getJob(jobId));
      if (!job || !(await redisCall(job.isFailed()))) throw notFound("No failed job with this id");
      const view = publicJob(key, job);
      const deploymentId = key === "deployments" ? view.data.deploymentId : undefined;
      await withTransaction(pool, async (tx) => {
        if (deploymentId && !(await requeueDeployment(tx, deploymentId))) {
          throw new AppError(
            409,
            "deployment_finished",
            "The job's deployment has finished or no longer exists",
          );
        }
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "queue.job_retried",
          target: { type: "job", id: `${queueName}:${view.id}` },
          metadata: { queue: queueName, job: view.name, ...(deploymentId ? { deploymentId } : {}) },
        });
      });
      await redisCall(job.retry("failed"));
      return { retried: true as const, job: view };
    },
  };
}

export type DeadLetterService = ReturnType<typeof createDeadLetterService>;
