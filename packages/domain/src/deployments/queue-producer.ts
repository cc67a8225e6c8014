import {
  type Config,
  closeQueues,
  closeRedis,
  createQueues,
  createRedis,
  type Logger,
  type NoraQueues,
  type Redis,
} from "@nora/core";

/** How long a request waits on Redis for an enqueue before it answers anyway (the row is durable). */
export const ENQUEUE_TIMEOUT_MS = 2_000;

export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/** Settles with `work`, or rejects with a TimeoutError after `ms` (work's own later failure is ignored). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The queues' producer side for the domain. Given `queues`, it uses them (their owner closes them);
 * otherwise it builds its own on a "bullmq"-role connection the first time one is needed, and
 * `close()` closes both, so a process that never enqueues opens nothing.
 */
export function createQueueAccess(deps: { config: Config; logger: Logger; queues?: NoraQueues }) {
  const { config, logger } = deps;
  let own: { connection: Redis; queues: NoraQueues } | undefined;

  function queues(): NoraQueues {
    if (deps.queues) return deps.queues;
    if (!own) {
      const connection = createRedis(config.redis, "domain-queues", "bullmq");
      own = { connection, queues: createQueues(config, connection) };
      // Connection trouble surfaces where a call fails (enqueue, dead-letter); the reconnect loop is quiet.
      for (const q of Object.values(own.queues)) {
        q.queue.on("error", (error) =>
          logger.debug({ err: error, queue: q.queue.name }, "queue connection error"),
        );
      }
    }
    return own.queues;
  }

  return {
    queues,

    /**
     * Enqueues a deployment's job with job id = deployment id, so a repeat never duplicates it. A
     * Redis failure is logged, never thrown: the deployment row stays `queued` and the provisioner
     * re-enqueues the queued deployments it finds.
     */
    async enqueueDeployment(deploymentId: string, agentId: string): Promise<boolean> {
      try {
        await withTimeout(
          queues().deployments.add({ deploymentId, agentId }, { jobId: deploymentId }),
          ENQUEUE_TIMEOUT_MS,
          "enqueueing the deployment",
        );
        return true;
      } catch (error) {
        logger.warn(
          { err: error, deploymentId, agentId },
          "deployment recorded but not queued (is Redis reachable?); the provisioner re-enqueues queued deployments",
        );
        return false;
      }
    },

    async close(): Promise<void> {
      const current = own;
      own = undefined;
      if (!current) return;
      await withTimeout(closeQueues(current.queues), ENQUEUE_TIMEOUT_MS, "closing the queues").catch(
        () => {},
      );
      await withTimeout(closeRedis(current.connection), ENQUEUE_TIMEOUT_MS, "closing Redis").catch(() =>
        current.connection.disconnect(),
      );
    },
  };
}

export type QueueAccess = ReturnType<typeof createQueueAccess>;
