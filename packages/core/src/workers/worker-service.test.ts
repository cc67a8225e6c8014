import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../config/index.js";
import { createLogger } from "../logging/logger.js";
import { closeQueues, createQueues } from "../queues/queues.js";
import { closeRedis, createRedis } from "../redis/connection.js";
import { LogCapture } from "../testing/log-capture.js";
import { testConfig } from "../testing/test-config.js";
import { type JobHandlers, startWorkerService, type WorkerService } from "./worker-service.js";

const ids = () => ({ deploymentId: crypto.randomUUID(), agentId: crypto.randomUUID() });

describe("worker service (real Redis, real BullMQ)", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(handlers: JobHandlers, env: Record<string, string> = {}) {
    const config: Config = testConfig(env);
    const logs = new LogCapture();
    const logger = createLogger({ service: "worker-test", level: "info", destination: logs });
    const connection = createRedis(config.redis, "producer", "bullmq");
    const queues = createQueues(config, connection);
    const service = await startWorkerService({
      name: "provisioner",
      config,
      logger,
      handlers,
      health: { host: "127.0.0.1", port: 0 },
    });
    let stopped = false;
    const stop = async () => {
      if (!stopped) {
        stopped = true;
        await service.stop();
      }
    };
    cleanups.push(async () => {
      await stop();
      await closeQueues(queues);
      await closeRedis(connection);
    });
    return { config, queues, service, logs, stop };
  }

  const health = async (service: WorkerService) => {
    const res = await fetch(`http://127.0.0.1:${service.healthPort}/health`);
    return {
      status: res.status,
      body: (await res.json()) as { status: string; queues: Record<string, boolean> },
    };
  };

  it("runs jobs of the queues it has handlers for and reports healthy", async () => {
    const seen: string[] = [];
    const { queues, service } = await setup({
      deployments: async (payload) => {
        seen.push(payload.deploymentId);
        return { ok: true };
      },
    });
    const payload = ids();
    const job = await queues.deployments.add(payload);
    await expect
      .poll(async () => await queues.deployments.queue.getJobState(job.id as string), { timeout: 10_000 })
      .toBe("completed");
    expect(seen).toEqual([payload.deploymentId]);
    const { status, body } = await health(service);
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.queues).toEqual({ deployments: true });
    expect(service.workers.has("backups")).toBe(false);
  });

  it("finishes an in-flight job before stopping, and reports draining meanwhile", async () => {
    let finished = false;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { queues, service, stop } = await setup(
      {
        deployments: async () => {
          await gate;
          finished = true;
        },
      },
      { SHUTDOWN_TIMEOUT_MS: "10000" },
    );
    const job = await queues.deployments.add(ids());
    await expect
      .poll(() => queues.deployments.queue.getJobState(job.id as string), { timeout: 10_000 })
      .toBe("active");
    const stopping = stop();
    await expect.poll(async () => (await health(service)).body.status).toBe("draining");
    expect((await health(service)).status).toBe(503);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(await queues.deployments.queue.getJobState(job.id as string)).toBe("completed");
  });

  it("hands a job that outlives the shutdown timeout back to the queue, unfailed", async () => {
    const { config, queues, logs, stop } = await setup(
      {
        deployments: (_payload, { signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener("abort", () => reject(new Error("aborted by shutdown")));
          }),
      },
      { SHUTDOWN_TIMEOUT_MS: "300" },
    );
    const job = await queues.deployments.add(ids());
    await expect
      .poll(() => queues.deployments.queue.getJobState(job.id as string), { timeout: 10_000 })
      .toBe("active");
    await stop();
    expect(await queues.deployments.queue.getJobState(job.id as string)).toBe("delayed");
    const reloaded = await queues.deployments.queue.getJob(job.id as string);
    expect(reloaded?.attemptsMade).toBe(0);
    expect(logs.text).toContain("job released back to the queue at shutdown");
    expect(logs.text).not.toContain("ignored its abort signal");

    // A fresh worker on the same queue picks the released job up and completes it.
    const successor = await startWorkerService({
      name: "provisioner",
      config,
      logger: createLogger({ service: "successor", level: "silent" }),
      handlers: { deployments: async () => "done" },
      health: { host: "127.0.0.1", port: 0 },
    });
    cleanups.push(() => successor.stop());
    await expect
      .poll(() => queues.deployments.queue.getJobState(job.id as string), { timeout: 15_000, interval: 250 })
      .toBe("completed");
  });
});
