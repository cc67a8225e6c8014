import type { V1ContainerStatus, V1Deployment, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { inspectionFrom } from "./kubernetes-status.js";

// Status objects as the API server returns them (shapes taken from real Deployment and Pod status;
// dates as the client deserializes them).

const IMAGE = "ghcr.io/nora/openclaw:2026.11";
const t = (iso: string) => new Date(iso);

function deployment(status: V1Deployment["status"], replicas = 1): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "nora-agent-a1",
      namespace: "nora-agents",
      labels: { "nora.agent.id": "a1", "nora.workspace.id": "w1", "nora.revision.id": "rev-2" },
    },
    spec: {
      replicas,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { "nora.agent.id": "a1" } },
      template: {
        spec: { containers: [{ name: "runtime", image: IMAGE, resources: { limits: { memory: "2Gi" } } }] },
      },
    },
    status,
  };
}

const progressing = (reason: string, status = "True", message = "") => ({
  type: "Progressing",
  status,
  reason,
  message,
  lastTransitionTime: t("2026-12-01T10:00:00Z"),
  lastUpdateTime: t("2026-12-01T10:00:00Z"),
});

function pod(
  container: Partial<V1ContainerStatus> | null,
  extra: Partial<V1Pod["status"]> = {},
  created = "2026-12-01T10:00:00Z",
): V1Pod {
  return {
    metadata: {
      name: `nora-agent-a1-7d9f-${created.slice(14, 16)}`,
      creationTimestamp: t(created),
      labels: { "nora.agent.id": "a1" },
    },
    spec: { containers: [{ name: "runtime", image: IMAGE }] },
    status: {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "True" }],
      ...(container === null
        ? {}
        : {
            containerStatuses: [
              { name: "runtime", image: IMAGE, imageID: "", ready: false, restartCount: 0, ...container },
            ],
          }),
      ...extra,
    },
  };
}

const endpoints = { runtimeUrl: "http://x:9090", gatewayUrl: "http://x:18789", dashboardUrl: null };

describe("inspectionFrom", () => {
  it("a new rollout without a pod yet: created, not ready, no problem", () => {
    const info = inspectionFrom({
      deployment: deployment({
        observedGeneration: 1,
        replicas: 0,
        conditions: [progressing("NewReplicaSetCreated")],
      }),
      pods: [],
      endpoints,
    });
    expect(info).toMatchObject({
      agentId: "a1",
      workspaceId: "w1",
      revisionId: "rev-2",
      state: "created",
      running: false,
      ready: false,
    });
    expect(info.problem).toBeUndefined();
  });

  it("a running, ready and available pod: running and ready, with the kubelet's image digest", () => {
    const digest = `ghcr.io/nora/openclaw@sha256:${"c".repeat(64)}`;
    const info = inspectionFrom({
      deployment: deployment({
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [
          { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
          progressing("NewReplicaSetAvailable"),
        ],
      }),
      pods: [
        pod(
          {
            ready: true,
            started: true,
            imageID: digest,
            state: { running: { startedAt: t("2026-12-01T10:00:05Z") } },
          },
          {
            phase: "Running",
            conditions: [
              { type: "PodScheduled", status: "True" },
              { type: "Ready", status: "True" },
            ],
          },
        ),
      ],
      endpoints,
    });
    expect(info).toMatchObject({
      state: "running",
      running: true,
      ready: true,
      exitCode: null,
      startedAt: "2026-12-01T10:00:05.000Z",
      imageDigest: digest,
      endpoints,
    });
    expect(info.problem).toBeUndefined();
  });

  it("an image that cannot be pulled", () => {
    const info = inspectionFrom({
      deployment: deployment({
        replicas: 1,
        unavailableReplicas: 1,
        conditions: [progressing("ReplicaSetUpdated")],
      }),
      pods: [
        pod({
          state: {
            waiting: {
              reason: "ErrImagePull",
              message: `rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": not found`,
            },
          },
        }),
      ],
      endpoints,
    });
    expect(info.ready).toBe(false);
    expect(info.problem?.code).toBe("image_pull");
    expect(info.problem?.message).toBe(
      `image "${IMAGE}" cannot be pulled: ErrImagePull (rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": not found); check the reference and the cluster's pull secret`,
    );
  });

  it("a crash loop: restarting, the last exit code, how often", () => {
    const info = inspectionFrom({
      deployment: deployment({ replicas: 1, unavailableReplicas: 1 }),
      pods: [
        pod(
          {
            restartCount: 4,
            state: {
              waiting: {
                reason: "CrashLoopBackOff",
                message: "back-off 1m20s restarting failed container=runtime",
              },
            },
            lastState: {
              terminated: {
                exitCode: 1,
                reason: "Error",
                startedAt: t("2026-12-01T10:03:00Z"),
                finishedAt: t("2026-12-01T10:03:02Z"),
              },
            },
          },
          { phase: "Running" },
        ),
      ],
      endpoints,
    });
    expect(info).toMatchObject({
      state: "restarting",
      running: false,
      exitCode: 1,
      oomKilled: false,
      finishedAt: "2026-12-01T10:03:02.000Z",
    });
    expect(info.problem).toEqual({
      code: "crash_loop",
      message: "the runtime keeps exiting (exit code 1, Error) and was restarted 4 times; read its logs",
    });
  });

  it("an OOM kill", () => {
    const info = inspectionFrom({
      deployment: deployment({ replicas: 1, unavailableReplicas: 1 }),
      pods: [
        pod(
          {
            restartCount: 2,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: {
              terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: t("2026-12-01T10:05:00Z") },
            },
          },
          { phase: "Running" },
        ),
      ],
      endpoints,
    });
    expect(info.oomKilled).toBe(true);
    expect(info.problem?.code).toBe("oom");
    expect(info.problem?.message).toContain("memory limit (2Gi)");
  });

  it("a runtime running again after an OOM kill has no problem", () => {
    const info = inspectionFrom({
      deployment: deployment({ replicas: 1, availableReplicas: 1 }),
      pods: [
        pod(
          {
            ready: true,
            restartCount: 1,
            state: { running: { startedAt: t("2026-12-01T10:06:00Z") } },
            lastState: {
              terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: t("2026-12-01T10:05:00Z") },
            },
          },
          { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
        ),
      ],
      endpoints,
    });
    expect(info).toMatchObject({ state: "running", ready: true });
    expect(info.problem).toBeUndefined();
  });

  it("an unschedulable pod, with the scheduler's words", () => {
    const info = inspectionFrom({
      deployment: deployment({ replicas: 1, unavailableReplicas: 1 }),
      pods: [
        pod(null, {
          conditions: [
            {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              message:
                "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            },
          ],
        }),
      ],
      endpoints,
    });
    expect(info.state).toBe("created");
    expect(info.problem?.code).toBe("unschedulable");
    expect(info.problem?.message).toMatch(/^no node fits: 0\/1 nodes are available: 1 Insufficient cpu\./);
  });

  it("a claim no volume is bound to yet is a wait, not a verdict: no problem, and what it waits for", () => {
    const info = inspectionFrom({
      deployment: deployment({ replicas: 1 }),
      pods: [
        pod(null, {
          conditions: [
            {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              message: "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found",
            },
          ],
        }),
      ],
      endpoints,
    });
    expect(info.problem).toBeUndefined();
    expect(info.ready).toBe(false);
    expect(info.waitingFor).toMatch(/PersistentVolumeClaim\) is not bound/);
  });

  it("a missing ConfigMap or Secret: create_failed", () => {
    const info = inspectionFrom({
      deployment: deployment({ replicas: 1 }),
      pods: [
        pod({
          state: {
            waiting: {
              reason: "CreateContainerConfigError",
              message: 'secret "nora-agent-a1-secrets" not found',
            },
          },
        }),
      ],
      endpoints,
    });
    expect(info.problem).toEqual({
      code: "create_failed",
      message:
        'the runtime container cannot be created: CreateContainerConfigError: secret "nora-agent-a1-secrets" not found',
    });
  });

  it("a ReplicaSet that cannot create the pod (quota, admission): create_failed from the Deployment", () => {
    const info = inspectionFrom({
      deployment: deployment({
        conditions: [
          {
            type: "ReplicaFailure",
            status: "True",
            reason: "FailedCreate",
            message:
              'pods "nora-agent-a1-7d9f-x" is forbidden: exceeded quota: compute, requested: limits.memory=2Gi, used: limits.memory=7Gi, limited: limits.memory=8Gi',
          },
          progressing("ReplicaSetUpdated"),
        ],
      }),
      pods: [],
      endpoints,
    });
    expect(info.problem?.code).toBe("create_failed");
    expect(info.problem?.message).toContain("exceeded quota: compute");
  });

  it("a rollout past its deadline: progress_deadline, unless the pod says more", () => {
    const stalled = deployment({
      conditions: [
        progressing(
          "ProgressDeadlineExceeded",
          "False",
          'ReplicaSet "nora-agent-a1-7d9f" has timed out progressing.',
        ),
      ],
    });
    expect(inspectionFrom({ deployment: stalled, pods: [pod(null)], endpoints }).problem).toEqual({
      code: "progress_deadline",
      message:
        'the rollout made no progress within 600s (ReplicaSet "nora-agent-a1-7d9f" has timed out progressing); check the agent\'s pod and its events',
    });
    const pulling = pod({ state: { waiting: { reason: "ImagePullBackOff" } } });
    expect(inspectionFrom({ deployment: stalled, pods: [pulling], endpoints }).problem?.code).toBe(
      "image_pull",
    );
  });

  it("a stopped agent (replicas 0): removing while its pod goes, then exited", () => {
    const stopped = deployment({ replicas: 0 }, 0);
    const terminating = pod(
      { state: { running: { startedAt: t("2026-12-01T10:00:05Z") } } },
      { phase: "Running" },
    );
    terminating.metadata = { ...terminating.metadata, deletionTimestamp: t("2026-12-01T11:00:00Z") };
    expect(inspectionFrom({ deployment: stopped, pods: [terminating], endpoints }).state).toBe("removing");
    expect(inspectionFrom({ deployment: stopped, pods: [], endpoints })).toMatchObject({
      state: "exited",
      running: false,
      ready: false,
    });
  });

  it("speaks for the newest pod during a Recreate rollout", () => {
    const old = pod(
      { state: { terminated: { exitCode: 0, reason: "Completed", finishedAt: t("2026-12-01T10:10:00Z") } } },
      {},
      "2026-12-01T10:00:00Z",
    );
    old.metadata = { ...old.metadata, deletionTimestamp: t("2026-12-01T10:10:00Z") };
    const fresh = pod({ state: { waiting: { reason: "ContainerCreating" } } }, {}, "2026-12-01T10:11:00Z");
    const info = inspectionFrom({ deployment: deployment({ replicas: 1 }), pods: [old, fresh], endpoints });
    expect(info.state).toBe("created");
    expect(info.exitCode).toBeNull();
  });
});
