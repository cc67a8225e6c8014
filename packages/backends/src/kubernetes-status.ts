import type {
  V1ContainerStatus,
  V1Deployment,
  V1DeploymentCondition,
  V1Pod,
  V1PodCondition,
} from "@kubernetes/client-node";
import { KUBE_LABELS, RUNTIME_CONTAINER } from "./kubernetes-manifests.js";
import type { RuntimeEndpoints, RuntimeInspection, RuntimeProblem, RuntimeState } from "./types.js";

/**
 * Pure mapping from what the API server reports of one agent (its Deployment and Pods) to the
 * backend's RuntimeInspection, with `ready` and a `problem` a person can act on. No I/O.
 */

export interface KubeStatusInput {
  deployment: V1Deployment;
  pods: readonly V1Pod[];
  endpoints: RuntimeEndpoints | null;
}

export type KubeInspection = RuntimeInspection & { ready: boolean };

const IMAGE_PULL = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);
const CREATE_FAILED = new Set([
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
  "PreCreateHookError",
  "PreStartHookError",
]);

function iso(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

function time(value: Date | string | undefined | null): number {
  const text = iso(value);
  return text === null ? 0 : Date.parse(text);
}

function condition<T extends V1DeploymentCondition | V1PodCondition>(
  conditions: readonly T[] | undefined,
  type: string,
): T | undefined {
  return conditions?.find((c) => c.type === type);
}

/** The pod that speaks for the agent: the newest one not being deleted, else the newest. */
export function currentPod(pods: readonly V1Pod[]): V1Pod | undefined {
  const byAge = [...pods].sort(
    (a, b) => time(b.metadata?.creationTimestamp) - time(a.metadata?.creationTimestamp),
  );
  return byAge.find((p) => !p.metadata?.deletionTimestamp) ?? byAge[0];
}

function runtimeStatus(pod: V1Pod | undefined): V1ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((c) => c.name === RUNTIME_CONTAINER);
}

function sentence(text: string | undefined): string {
  return (text ?? "").trim().replace(/\.$/, "");
}

/** The specific reason a pod does not run, most specific first; undefined when none is visible. */
export function podProblem(
  pod: V1Pod | undefined,
  image: string,
  memoryLimit: string | undefined,
): RuntimeProblem | undefined {
  if (pod === undefined) return undefined;
  const status = runtimeStatus(pod);
  const waiting = status?.state?.waiting;
  const last = status?.lastState?.terminated;
  const terminated = status?.state?.terminated;
  if (waiting?.reason && IMAGE_PULL.has(waiting.reason)) {
    const detail = sentence(waiting.message);
    return {
      code: "image_pull",
      message: `image "${image}" cannot be pulled: ${waiting.reason}${detail ? ` (${detail})` : ""}; check the reference and the cluster's pull secret`,
    };
  }
  const oom = terminated?.reason === "OOMKilled" || last?.reason === "OOMKilled";
  if (
    oom &&
    (waiting?.reason === "CrashLoopBackOff" ||
      terminated !== undefined ||
      status?.state?.running === undefined)
  ) {
    return {
      code: "oom",
      message: `the runtime was killed for exceeding its memory limit${memoryLimit ? ` (${memoryLimit})` : ""}, restarted ${status?.restartCount ?? 0} times; give the agent more memory`,
    };
  }
  if (waiting?.reason === "CrashLoopBackOff") {
    const exit = last?.exitCode ?? terminated?.exitCode;
    return {
      code: "crash_loop",
      message: `the runtime keeps exiting${exit === undefined ? "" : ` (exit code ${exit}${last?.reason ? `, ${last.reason}` : ""})`} and was restarted ${status?.restartCount ?? 0} times; read its logs`,
    };
  }
  if (waiting?.reason && CREATE_FAILED.has(waiting.reason)) {
    return {
      code: "create_failed",
      message: `the runtime container cannot be created: ${waiting.reason}${waiting.message ? `: ${sentence(waiting.message)}` : ""}`,
    };
  }
  const scheduled = condition(pod.status?.conditions, "PodScheduled");
  if (
    scheduled?.status === "False" &&
    scheduled.reason === "Unschedulable" &&
    // A claim the storage provisioner has not bound yet is a wait, not a verdict (see podWaiting).
    !UNBOUND_CLAIM.test(scheduled.message ?? "")
  ) {
    return {
      code: "unschedulable",
      message: `no node fits: ${sentence(scheduled.message) || "the scheduler found no node"}; free capacity or lower the agent's resources`,
    };
  }
  return undefined;
}

const UNBOUND_CLAIM = /unbound (immediate )?PersistentVolumeClaims/i;

/** What a pod that is neither ready nor failed still waits for, in words; undefined when nothing says. */
export function podWaiting(pod: V1Pod | undefined): string | undefined {
  const scheduled = condition(pod?.status?.conditions, "PodScheduled");
  if (scheduled?.status === "False" && UNBOUND_CLAIM.test(scheduled.message ?? "")) {
    return "its data volume (PersistentVolumeClaim) is not bound: the cluster has no default StorageClass or no volume that fits; set the cluster's storage class (docs/kubernetes.md)";
  }
  const waiting = runtimeStatus(pod)?.state?.waiting;
  if (waiting?.reason)
    return `its container is waiting: ${waiting.reason}${waiting.message ? ` (${sentence(waiting.message)})` : ""}`;
  if (scheduled?.status === "False")
    return `it is not scheduled yet: ${sentence(scheduled.message) || scheduled.reason || "pending"}`;
  return undefined;
}

/** A problem only the Deployment reports: its ReplicaSet cannot create pods, or the rollout stalled. */
export function deploymentProblem(deployment: V1Deployment): RuntimeProblem | undefined {
  const conditions = deployment.status?.conditions;
  const replicaFailure = condition(conditions, "ReplicaFailure");
  if (replicaFailure?.status === "True") {
    return {
      code: "create_failed",
      message: `the cluster refuses to create the agent's pod: ${sentence(replicaFailure.message) || replicaFailure.reason || "ReplicaFailure"}`,
    };
  }
  const progressing = condition(conditions, "Progressing");
  if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded") {
    const seconds = deployment.spec?.progressDeadlineSeconds;
    return {
      code: "progress_deadline",
      message: `the rollout made no progress${seconds ? ` within ${seconds}s` : ""} (${sentence(progressing.message)}); check the agent's pod and its events`,
    };
  }
  return undefined;
}

function stateOf(
  deployment: V1Deployment,
  pod: V1Pod | undefined,
  status: V1ContainerStatus | undefined,
): RuntimeState {
  if (deployment.metadata?.deletionTimestamp) return "removing";
  // Stopped (replicas 0): "removing" while its pod goes away.
  if (deployment.spec?.replicas === 0) return pod === undefined ? "exited" : "removing";
  if (pod === undefined) return "created";
  if (pod.metadata?.deletionTimestamp) return "removing";
  if (status?.state?.running) return "running";
  if (status?.state?.waiting?.reason === "CrashLoopBackOff") return "restarting";
  if (pod.status?.phase === "Failed") return "dead";
  if (status?.state?.terminated || pod.status?.phase === "Succeeded") return "exited";
  return "created";
}

/** `sha256:…` of what runs: the kubelet's imageID, else the reference the pod asked for. */
function digestOf(status: V1ContainerStatus | undefined, image: string): string {
  const id = status?.imageID?.replace(/^docker-pullable:\/\//, "");
  return id ? id : image;
}

export function inspectionFrom(input: KubeStatusInput): KubeInspection {
  const { deployment } = input;
  const labels = deployment.metadata?.labels ?? {};
  const container = deployment.spec?.template?.spec?.containers?.find((c) => c.name === RUNTIME_CONTAINER);
  const image = container?.image ?? "";
  const memoryLimit = container?.resources?.limits?.memory;
  const pod = currentPod(input.pods);
  const status = runtimeStatus(pod);
  const state = stateOf(deployment, pod, status);
  const running = state === "running";
  const terminated = status?.state?.terminated;
  const last = status?.lastState?.terminated;
  const podReady = condition(pod?.status?.conditions, "Ready")?.status === "True";
  const available = (deployment.status?.availableReplicas ?? 0) >= 1;
  const problem = podProblem(pod, image, memoryLimit) ?? deploymentProblem(deployment);
  const waitingFor = problem ? undefined : podWaiting(pod);
  return {
    agentId: labels[KUBE_LABELS.agentId] ?? "",
    workspaceId: labels[KUBE_LABELS.workspaceId] ?? "",
    revisionId: labels[KUBE_LABELS.revisionId] ?? null,
    ref: deployment.metadata?.name ?? "",
    state,
    running,
    exitCode: running ? null : (terminated?.exitCode ?? last?.exitCode ?? null),
    oomKilled: terminated?.reason === "OOMKilled" || last?.reason === "OOMKilled",
    startedAt: iso(status?.state?.running?.startedAt ?? terminated?.startedAt),
    finishedAt: iso(terminated?.finishedAt ?? last?.finishedAt),
    imageDigest: digestOf(status, image),
    endpoints: input.endpoints,
    ready: running && podReady && available,
    ...(problem ? { problem } : {}),
    ...(waitingFor && !(running && podReady && available) ? { waitingFor } : {}),
  };
}
