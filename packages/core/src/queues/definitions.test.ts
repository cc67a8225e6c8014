import { describe, expect, it } from "vitest";
import { testConfig } from "../testing/test-config.js";
import { jobOptions, QUEUES, queueKeysFor } from "./definitions.js";

const id = "9b2f7c1e-4a5d-4e8f-9c0b-1d2e3f4a5b6c";

describe("queue definitions", () => {
  const config = testConfig({ ALERT_DELIVERY_ATTEMPTS: "7" });

  it("matches the architecture's table", () => {
    const table = Object.values(QUEUES).map((q) => ({
      name: q.name,
      job: q.job,
      worker: q.worker,
      concurrency: q.concurrency(config),
      attempts: q.attempts(config),
      backoffMs: q.backoffMs,
    }));
    expect(table).toEqual([
      {
        name: "deployments",
        job: "deploy-agent",
        worker: "provisioner",
        concurrency: 6,
        attempts: 5,
        backoffMs: 3000,
      },
      {
        name: "clawhub-jobs",
        job: "install-skill",
        worker: "provisioner",
        concurrency: 1,
        attempts: 1,
        backoffMs: 0,
      },
      { name: "backups", job: "run-backup", worker: "backup", concurrency: 2, attempts: 2, backoffMs: 5000 },
      {
        name: "alert-deliveries",
        job: "deliver-webhook",
        worker: "provisioner",
        concurrency: 5,
        attempts: 7,
        backoffMs: 1000,
      },
      {
        name: "clusters",
        job: "check-cluster",
        worker: "provisioner",
        concurrency: 2,
        attempts: 1,
        backoffMs: 0,
      },
    ]);
  });

  it("uses exponential backoff and keeps failed jobs for the dead-letter view", () => {
    expect(jobOptions("deployments", config)).toMatchObject({
      attempts: 5,
      backoff: { type: "exponential", delay: 3000 },
      removeOnFail: false,
    });
    expect(jobOptions("clawhubJobs", config).backoff).toBeUndefined();
  });

  it("assigns queues to workers", () => {
    expect(queueKeysFor("provisioner")).toEqual([
      "deployments",
      "clawhubJobs",
      "alertDeliveries",
      "clusters",
    ]);
    expect(queueKeysFor("backup")).toEqual(["backups"]);
  });

  it("accepts ids only: extra fields (such as a secret) are refused", () => {
    expect(QUEUES.deployments.payload.parse({ deploymentId: id, agentId: id })).toEqual({
      deploymentId: id,
      agentId: id,
    });
    expect(() =>
      QUEUES.deployments.payload.parse({ deploymentId: id, agentId: id, apiKey: "sk-live" }),
    ).toThrow();
    expect(() => QUEUES.alertDeliveries.payload.parse({ deliveryId: "not-a-uuid" })).toThrow();
  });
});
