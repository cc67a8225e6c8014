import { Writable } from "node:stream";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  Exec,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  Log,
  PatchStrategy,
  type V1Deployment,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Service,
  type V1Status,
  Watch,
} from "@kubernetes/client-node";
import type { Logger } from "@nora/core";
import { BackendError } from "./errors.js";
import {
  agentSelector,
  buildAgentObjects,
  buildAnchor,
  checkKubeSpec,
  KUBE_ANNOTATIONS,
  KUBE_LABELS,
  type KubeObject,
  type KubernetesManifestOptions,
  kubeNames,
  managedSelector,
  RUNTIME_CONTAINER,
  serviceEndpoints,
} from "./kubernetes-manifests.js";
import { currentPod, inspectionFrom, type KubeInspection } from "./kubernetes-status.js";
import type {
  CreatedRuntime,
  CreateOptions,
  Enforcement,
  ExecResult,
  ManagedRuntime,
  RuntimeBackend,
  RuntimeEvent,
  RuntimeSpec,
  RuntimeStats,
} from "./types.js";

/** The field manager of everything Nora applies. */
export const FIELD_MANAGER = "nora";
/**
 * The field manager of replicas and the restart annotation (start, stop, restart): apart from
 * `nora`, so a lifecycle change is never a conflict for the next apply and the apply never resets it.
 */
export const LIFECYCLE_FIELD_MANAGER = "nora-lifecycle";

export interface KubernetesBackendOptions
  extends Omit<KubernetesManifestOptions, "namespace" | "installationId"> {
  kubeConfig: KubeConfig;
  /** Where every agent's objects live. */
  namespace: string;
  installationId: string;
  logger: Logger;
  /** NodePort services: the node address the control plane dials (unknown to the API otherwise). */
  nodeAddress?: string;
  /** How long remove() waits for the agent's objects (pods included) to be gone. Default 90 s. */
  removeTimeoutMs?: number;
  /** Ask the server to end each pod watch after this long (events() resumes it); default: the server's. */
  watchTimeoutSeconds?: number;
}

/** One kind of object the set holds (pods and ReplicaSets come from the Deployment). */
export const AGENT_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "v1", kind: "Secret" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "Pod" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "apps/v1", kind: "ReplicaSet" },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
];

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ERR_STREAM_PREMATURE_CLOSE",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);
const EXEC_OUTPUT_MAX_BYTES = 8 * 1024 * 1024;

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

function statusBody(error: ApiException<unknown>): StatusBody {
  const body = error.body;
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as StatusBody;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** Maps what the API server (or the connection to it) said to a BackendError. */
export function toBackendError(error: unknown, what: string): BackendError {
  if (error instanceof BackendError) return error;
  if (error instanceof ApiException) {
    const body = statusBody(error);
    const words = (body.message ?? "").trim() || `HTTP ${error.code}`;
    if (error.code === 403) {
      return new BackendError(
        "forbidden",
        `Kubernetes refused to ${what}: ${words}; Nora's Role lacks this verb on this resource (docs/kubernetes.md)`,
        { cause: error },
      );
    }
    if (error.code === 401) {
      return new BackendError(
        "backend_unavailable",
        `the Kubernetes API server rejected Nora's credentials while trying to ${what}: ${words}`,
        { cause: error },
      );
    }
    if (error.code === 422 || (error.code === 400 && body.reason === "BadRequest")) {
      return new BackendError("invalid_spec", `Kubernetes refused to ${what}: ${words}`, { cause: error });
    }
    if (error.code === 404) {
      return new BackendError("runtime_not_found", `cannot ${what}: ${words}`, { cause: error });
    }
    if (error.code >= 500) {
      return new BackendError(
        "backend_unavailable",
        `the Kubernetes API server failed to ${what}: ${words}`,
        {
          cause: error,
        },
      );
    }
    return new BackendError("backend_error", `Kubernetes refused to ${what}: ${words}`, { cause: error });
  }
  const code = networkCode(error);
  if (
    code !== undefined &&
    (UNREACHABLE.has(code) || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL"))
  ) {
    return new BackendError(
      "backend_unavailable",
      `Kubernetes API server unreachable (${code}) while trying to ${what}`,
      {
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/fetch failed|socket hang up|ECONNREFUSED|connect/i.test(message)) {
    return new BackendError(
      "backend_unavailable",
      `Kubernetes API server unreachable while trying to ${what}: ${message}`,
      {
        cause: error,
      },
    );
  }
  return new BackendError("backend_error", `could not ${what}: ${message}`, { cause: error });
}

function objectRef(object: KubernetesObject): string {
  return `${object.kind ?? "object"} ${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

/** The 409 of a server-side apply whose fields another manager owns, or null for any other error. */
export function driftOf(
  error: unknown,
  object: KubernetesObject,
): { object: string; fields: string[]; managers: string[] } | null {
  if (!(error instanceof ApiException) || error.code !== 409) return null;
  const causes = (statusBody(error).details?.causes ?? []).filter((c) => c.reason === "FieldManagerConflict");
  if (causes.length === 0) return null;
  const managers = [
    ...new Set(
      causes.map((c) => /conflict with "([^"]+)"/.exec(c.message ?? "")?.[1] ?? c.message ?? "unknown"),
    ),
  ];
  return { object: objectRef(object), fields: causes.map((c) => c.field ?? "?"), managers };
}

function driftError(drifts: NonNullable<ReturnType<typeof driftOf>>[], cause: unknown): BackendError {
  const parts = drifts.map(
    (d) => `${d.object}: ${d.fields.join(", ")} changed by ${d.managers.map((m) => `"${m}"`).join(", ")}`,
  );
  return new BackendError(
    "drift",
    `fields Nora manages were changed by another field manager (${parts.join("; ")}); redeploy with overrideDrift to take them back, or change them back by hand`,
    { cause },
  );
}

async function ignoring<T>(statuses: readonly number[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (statuses.includes(statusOf(error) ?? -1)) return undefined;
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createKubernetesBackend(options: KubernetesBackendOptions): RuntimeBackend & {
  /** A dry-run apply of the set (`dryRun=All`): the drift it would meet, changing nothing. */
  diff(spec: RuntimeSpec): Promise<{ drift: string | null }>;
  inspect(agentId: string): Promise<KubeInspection | null>;
} {
  const kc = options.kubeConfig;
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const { namespace, installationId, logger: log } = options;
  const manifestOptions: KubernetesManifestOptions = {
    namespace,
    installationId,
    controlPlane: options.controlPlane,
    ...(options.serviceType ? { serviceType: options.serviceType } : {}),
    ...(options.egressAllowlist ? { egressAllowlist: options.egressAllowlist } : {}),
    ...(options.storageClassName !== undefined ? { storageClassName: options.storageClassName } : {}),
    ...(options.progressDeadlineSeconds ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
    ...(options.schedulerName ? { schedulerName: options.schedulerName } : {}),
    ...(options.extraLabels ? { extraLabels: options.extraLabels } : {}),
  };

  async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toBackendError(error, what);
    }
  }

  function apply<T extends KubernetesObject>(object: T, force: boolean, dryRun: boolean): Promise<T> {
    return objects.patch(
      object,
      undefined,
      dryRun ? "All" : undefined,
      FIELD_MANAGER,
      force ? true : undefined,
      PatchStrategy.ServerSideApply,
    );
  }

  /** Merge patch of the Deployment under the lifecycle manager (one request; 404: no runtime). */
  async function patchDeployment(
    agentId: string,
    what: string,
    patch: V1Deployment["spec"],
  ): Promise<V1Deployment> {
    const name = kubeNames(agentId).deployment;
    try {
      return await objects.patch<V1Deployment>(
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace }, spec: patch },
        undefined,
        undefined,
        LIFECYCLE_FIELD_MANAGER,
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new BackendError("runtime_not_found", `agent ${agentId} has no runtime to ${what}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Applies the set: the anchor, then one server-side apply per object; drift is collected, not fought. */
  async function applySet(
    spec: RuntimeSpec,
    force: boolean,
    dryRun: boolean,
  ): Promise<{ applied: KubeObject[]; anchorUid: string }> {
    checkKubeSpec(spec, manifestOptions);
    const anchorObject = buildAnchor(spec, manifestOptions);
    let anchor: KubernetesObject;
    try {
      anchor = await apply(anchorObject, force, dryRun);
    } catch (error) {
      const drift = driftOf(error, anchorObject);
      throw drift ? driftError([drift], error) : error;
    }
    const anchorUid = anchor.metadata?.uid;
    // A dry-run create of the anchor has a uid that is never stored: the owner references then name it.
    if (!anchorUid)
      throw new BackendError("backend_error", `the anchor of agent ${spec.agentId} came back without a uid`);
    const set = buildAgentObjects(spec, manifestOptions, anchorUid);
    const deployment = set.pop() as KubeObject;
    // What the pod mounts first, in parallel; the Deployment last, so its pod finds them.
    const results = await Promise.allSettled(set.map((object) => apply(object, force, dryRun)));
    const last = await Promise.allSettled([apply(deployment, force, dryRun)]);
    const all = [...results, ...last];
    const ordered = [...set, deployment];
    const drifts: NonNullable<ReturnType<typeof driftOf>>[] = [];
    let other: unknown;
    all.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      const drift = driftOf(result.reason, ordered[i] as KubeObject);
      if (drift) drifts.push(drift);
      else other ??= result.reason;
    });
    if (other !== undefined) throw other;
    if (drifts.length > 0)
      throw driftError(drifts, (all.find((r) => r.status === "rejected") as PromiseRejectedResult).reason);
    return {
      applied: all.map((r) => (r as PromiseFulfilledResult<KubeObject>).value),
      anchorUid,
    };
  }

  async function create(spec: RuntimeSpec, createOptions: CreateOptions = {}): Promise<CreatedRuntime> {
    return guarded(`apply the objects of agent ${spec.agentId}`, async () => {
      const names = kubeNames(spec.agentId);
      const { applied } = await applySet(spec, createOptions.force === true, false);
      const byKind = (kind: string) => applied.find((o) => o.kind === kind);
      const deployment = byKind("Deployment") as V1Deployment;
      // A runtime stopped earlier (replicas 0 under the lifecycle manager) is started again.
      if (deployment.spec?.replicas === 0)
        await patchDeployment(spec.agentId, "start", { replicas: 1 } as V1Deployment["spec"]);
      const pvc = byKind("PersistentVolumeClaim") as V1PersistentVolumeClaim;
      const service = byKind("Service") as V1Service;
      const storage = pvc.spec?.resources?.requests?.storage;
      const allowlist = options.egressAllowlist?.[spec.profile] ?? [];
      const enforcement: Enforcement = {
        diskQuota: storage === `${spec.resources.diskGb}Gi` ? "enforced" : "not_enforced",
        ...(storage === `${spec.resources.diskGb}Gi`
          ? {}
          : { diskQuotaReason: `the claim ${names.pvc} asks for ${storage ?? "nothing"}` }),
        egress: spec.profile === "nemoclaw" && allowlist.length === 0 ? "none" : "open",
      };
      const endpoints = serviceEndpoints(
        service,
        options.nodeAddress ? { nodeAddress: options.nodeAddress } : {},
      );
      if (endpoints === null)
        throw new BackendError("backend_error", `the Service ${names.service} has no ports`);
      log.info(
        { agentId: spec.agentId, namespace, deployment: names.deployment, image: spec.image },
        "agent objects applied",
      );
      return { ref: names.deployment, endpoints, enforcement, imageDigest: spec.image };
    });
  }

  async function diff(spec: RuntimeSpec): Promise<{ drift: string | null }> {
    return guarded(`dry-run the objects of agent ${spec.agentId}`, async () => {
      try {
        await applySet(spec, false, true);
        return { drift: null };
      } catch (error) {
        if (error instanceof BackendError && error.code === "drift") return { drift: error.message };
        throw error;
      }
    });
  }

  async function listKind(
    apiVersion: string,
    kind: string,
    labelSelector: string,
  ): Promise<KubernetesObject[]> {
    const list = await objects.list(
      apiVersion,
      kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
    );
    return list.items;
  }

  async function leftovers(agentId: string, keepPvc: boolean): Promise<string[]> {
    const selector = agentSelector(agentId, installationId);
    const kinds = AGENT_KINDS.filter((k) => !(keepPvc && k.kind === "PersistentVolumeClaim"));
    const found = await Promise.all(kinds.map((k) => listKind(k.apiVersion, k.kind, selector)));
    return found.flat().map((o) => `${o.kind}/${o.metadata?.name}`);
  }

  async function deleteObject(
    apiVersion: string,
    kind: string,
    name: string,
    propagation: string,
  ): Promise<void> {
    await ignoring([404], () =>
      objects.delete(
        { apiVersion, kind, metadata: { name, namespace } },
        undefined,
        undefined,
        undefined,
        undefined,
        propagation,
      ),
    );
  }

  async function remove(agentId: string, removeOptions: { keepData?: boolean } = {}): Promise<void> {
    return guarded(`remove the objects of agent ${agentId}`, async () => {
      const names = kubeNames(agentId);
      const keepData = removeOptions.keepData === true;
      if (keepData) {
        // Drop the claim's owner reference first, so neither the anchor's deletion nor the GC takes it.
        await ignoring([404], () =>
          objects.patch(
            {
              apiVersion: "v1",
              kind: "PersistentVolumeClaim",
              metadata: { name: names.pvc, namespace, ownerReferences: null as unknown as undefined },
            },
            undefined,
            undefined,
            FIELD_MANAGER,
            undefined,
            PatchStrategy.MergePatch,
          ),
        );
      }
      // Every object directly (works without the garbage collector), the Deployment first so its pod stops.
      await deleteObject("apps/v1", "Deployment", names.deployment, "Background");
      await Promise.all([
        deleteObject("v1", "Service", names.service, "Background"),
        deleteObject("networking.k8s.io/v1", "NetworkPolicy", names.networkPolicy, "Background"),
        deleteObject("v1", "Secret", names.secret, "Background"),
        deleteObject("v1", "ConfigMap", names.bootstrap, "Background"),
        ...(keepData ? [] : [deleteObject("v1", "PersistentVolumeClaim", names.pvc, "Background")]),
      ]);
      // The anchor last, in the foreground: the garbage collector removes anything it still owns.
      await deleteObject("v1", "ConfigMap", names.anchor, "Foreground");
      const deadline = Date.now() + (options.removeTimeoutMs ?? 90_000);
      let left = await leftovers(agentId, keepData);
      while (left.length > 0) {
        if (Date.now() > deadline) {
          throw new BackendError(
            "backend_error",
            `agent ${agentId}'s objects were deleted but are still present: ${left.join(", ")}`,
          );
        }
        await sleep(250);
        left = await leftovers(agentId, keepData);
      }
      log.info({ agentId, namespace, keepData }, "agent objects removed");
    });
  }

  async function podsOf(agentId: string): Promise<V1Pod[]> {
    const list = await core.listNamespacedPod({
      namespace,
      labelSelector: agentSelector(agentId, installationId),
    });
    return list.items;
  }

  async function inspect(agentId: string): Promise<KubeInspection | null> {
    return guarded(`inspect the runtime of agent ${agentId}`, async () => {
      const names = kubeNames(agentId);
      const deployment = await ignoring([404], () =>
        apps.readNamespacedDeployment({ name: names.deployment, namespace }),
      );
      if (deployment === undefined) return null;
      const [pods, service] = await Promise.all([
        podsOf(agentId),
        ignoring([404], () => core.readNamespacedService({ name: names.service, namespace })),
      ]);
      const endpoints =
        service === undefined
          ? null
          : serviceEndpoints(service, options.nodeAddress ? { nodeAddress: options.nodeAddress } : {});
      return inspectionFrom({ deployment, pods, endpoints });
    });
  }

  async function runningPod(agentId: string, what: string): Promise<V1Pod> {
    const pod = currentPod((await podsOf(agentId)).filter((p) => p.status?.phase === "Running"));
    if (pod?.metadata?.name === undefined) {
      throw new BackendError("runtime_not_found", `agent ${agentId} has no running pod to ${what}`);
    }
    return pod;
  }

  async function logs(agentId: string, logOptions: { tail?: number } = {}): Promise<string> {
    return guarded(`read the logs of agent ${agentId}`, async () => {
      const pods = await podsOf(agentId);
      const pod = currentPod(pods);
      if (pod?.metadata?.name === undefined) {
        throw new BackendError("runtime_not_found", `agent ${agentId} has no pod to read logs of`);
      }
      // The Log helper, not CoreV1Api.readNamespacedPodLog: the generated client cannot parse the
      // API server's plain-text error answers for pod logs.
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      });
      const finished = new Promise<void>((resolve, reject) => {
        sink.on("finish", resolve);
        sink.on("error", reject);
      });
      try {
        await new Log(kc).log(namespace, pod.metadata.name, RUNTIME_CONTAINER, sink, {
          tailLines: logOptions.tail ?? 200,
          follow: false,
        });
      } catch (error) {
        // 204: the pod has no node yet (nothing ran, nothing logged).
        if (statusOf(error) === 204) return "";
        // 400: its container has not started: no logs to read.
        if (statusOf(error) !== 400) throw error;
        throw new BackendError(
          "runtime_not_found",
          `agent ${agentId} has no logs yet (its container has not run)`,
          {
            cause: error,
          },
        );
      }
      await finished;
      return Buffer.concat(chunks).toString("utf8");
    });
  }

  async function exec(
    agentId: string,
    argv: readonly string[],
    execOptions: { timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    return guarded(`exec in agent ${agentId}`, async () => {
      if (argv.length === 0) throw new BackendError("invalid_spec", "exec needs a command");
      const pod = await runningPod(agentId, "exec in");
      const collect = () => {
        const chunks: Buffer[] = [];
        let size = 0;
        const stream = new Writable({
          write(chunk: Buffer, _encoding, done) {
            if (size < EXEC_OUTPUT_MAX_BYTES) chunks.push(chunk);
            size += chunk.length;
            done();
          },
        });
        return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
      };
      const stdout = collect();
      const stderr = collect();
      const timeoutMs = execOptions.timeoutMs ?? 30_000;
      let status: V1Status | undefined;
      const socket = await new Exec(kc)
        .exec(
          namespace,
          pod.metadata?.name as string,
          RUNTIME_CONTAINER,
          [...argv],
          stdout.stream,
          stderr.stream,
          null,
          false,
          (s) => {
            status = s;
          },
        )
        .catch((error: unknown) => {
          throw execRefusal(agentId, error);
        });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.close();
          reject(
            new BackendError(
              "exec_timeout",
              `exec in agent ${agentId} gave no result within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        socket.on("close", () => {
          clearTimeout(timer);
          resolve();
        });
        socket.on("error", (error: Error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      return { exitCode: exitCodeOf(status), stdout: stdout.text(), stderr: stderr.text() };
    });
  }

  async function listManaged(): Promise<ManagedRuntime[]> {
    return guarded("list managed runtimes", async () => {
      const list = await apps.listNamespacedDeployment({
        namespace,
        labelSelector: managedSelector(installationId),
      });
      return list.items.flatMap((d) => {
        const agentId = d.metadata?.labels?.[KUBE_LABELS.agentId];
        if (!agentId) return [];
        const running = (d.status?.readyReplicas ?? 0) >= 1;
        const state: ManagedRuntime["state"] = d.metadata?.deletionTimestamp
          ? "removing"
          : running
            ? "running"
            : d.spec?.replicas === 0
              ? "exited"
              : "created";
        return [
          {
            agentId,
            workspaceId: d.metadata?.labels?.[KUBE_LABELS.workspaceId] ?? "",
            ref: d.metadata?.name ?? "",
            state,
          },
        ];
      });
    });
  }

  function events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return watchPodEvents({
      kc,
      core,
      namespace,
      selector: managedPodSelector(installationId),
      signal,
      timeoutSeconds: options.watchTimeoutSeconds,
    });
  }

  return {
    target: "k8s",
    // The kubelet's probes on 9090 decide; the worker may not reach the cluster network at all.
    readiness: "backend",
    // The cluster pulls the image: nothing here can ask a registry, so the reference is the answer.
    resolveImage: async (image) => image,
    create,
    diff,
    start: (agentId) =>
      guarded(`start agent ${agentId}`, async () => {
        await patchDeployment(agentId, "start", { replicas: 1 } as V1Deployment["spec"]);
      }),
    stop: (agentId) =>
      guarded(`stop agent ${agentId}`, async () => {
        await patchDeployment(agentId, "stop", { replicas: 0 } as V1Deployment["spec"]);
      }),
    restart: (agentId) =>
      guarded(`restart agent ${agentId}`, async () => {
        await patchDeployment(agentId, "restart", {
          replicas: 1,
          template: {
            metadata: { annotations: { [KUBE_ANNOTATIONS.restartedAt]: new Date().toISOString() } },
          },
        } as unknown as V1Deployment["spec"]);
      }),
    remove,
    inspect,
    logs,
    exec,
    // The metrics API (metrics-server) is not consulted: usage comes from the runtime's /metrics.
    stats: async (_agentId: string): Promise<RuntimeStats | null> => null,
    events,
    listManaged,
    // Nothing to join: the control plane reaches agents through their Services.
    reconcileAccess: async () => (await listManaged()).length,
  };
}

/** The WebSocket upgrade's refusal (an ErrorEvent "Unexpected server response: 400") as a BackendError. */
export function execRefusal(agentId: string, error: unknown): BackendError {
  const message = String((error as { message?: unknown } | null)?.message ?? error);
  const status = Number(/Unexpected server response: (\d{3})/.exec(message)?.[1]);
  if (status === 403) {
    return new BackendError(
      "forbidden",
      `Kubernetes refused exec in agent ${agentId} (403): Nora's Role lacks "create" on "pods/exec" (docs/kubernetes.md)`,
      { cause: error },
    );
  }
  if (status === 400 || status === 404) {
    return new BackendError(
      "runtime_not_found",
      `agent ${agentId} has no container to exec in (the API server answered ${status}: the pod has no node or its container is not running)`,
      { cause: error },
    );
  }
  return toBackendError(error instanceof Error ? error : new Error(message), `exec in agent ${agentId}`);
}

function managedPodSelector(installationId: string): string {
  return `${KUBE_LABELS.managed}=true,${KUBE_LABELS.installation}=${installationId},${KUBE_LABELS.role}=runtime`;
}

/** The exit code of an exec from the final V1Status the API server sends on the error channel. */
export function exitCodeOf(status: V1Status | undefined): number {
  if (status === undefined) return -1;
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : -1;
}

// ---- events ------------------------------------------------------------------------------------

interface RawPod {
  metadata?: { uid?: string; labels?: Record<string, string>; resourceVersion?: string };
  status?: {
    containerStatuses?: {
      name: string;
      state?: { running?: { startedAt?: string }; terminated?: TerminatedRaw };
      lastState?: { terminated?: TerminatedRaw };
    }[];
  };
}

interface TerminatedRaw {
  exitCode?: number;
  reason?: string;
  finishedAt?: string;
}

interface PodMemory {
  startedAt: string | null;
  finishedAt: string | null;
}

function stamp(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

/** What changed between two sightings of a pod: a new start, a new termination (oom first). */
export function podTransitions(
  pod: RawPod,
  before: PodMemory | undefined,
): { events: Omit<RuntimeEvent, "at">[]; now: PodMemory } {
  const agentId = pod.metadata?.labels?.[KUBE_LABELS.agentId] ?? "";
  const status = pod.status?.containerStatuses?.find((c) => c.name === RUNTIME_CONTAINER);
  const startedAt = stamp(status?.state?.running?.startedAt);
  const candidates = [status?.state?.terminated, status?.lastState?.terminated].filter(
    (t): t is TerminatedRaw => t !== undefined && stamp(t.finishedAt) !== null,
  );
  const terminated = candidates.sort(
    (a, b) => Date.parse(stamp(b.finishedAt) ?? "") - Date.parse(stamp(a.finishedAt) ?? ""),
  )[0];
  const finishedAt = stamp(terminated?.finishedAt);
  const now: PodMemory = {
    startedAt: startedAt ?? before?.startedAt ?? null,
    finishedAt: finishedAt ?? before?.finishedAt ?? null,
  };
  const out: Omit<RuntimeEvent, "at">[] = [];
  if (!agentId) return { events: out, now };
  if (finishedAt !== null && finishedAt !== (before?.finishedAt ?? null) && terminated) {
    if (terminated.reason === "OOMKilled")
      out.push({ agentId, type: "oom", exitCode: terminated.exitCode ?? null });
    out.push({ agentId, type: "die", exitCode: terminated.exitCode ?? null });
  }
  if (startedAt !== null && startedAt !== (before?.startedAt ?? null))
    out.push({ agentId, type: "start", exitCode: null });
  return { events: out, now };
}

async function* watchPodEvents(input: {
  kc: KubeConfig;
  core: CoreV1Api;
  namespace: string;
  selector: string;
  signal: AbortSignal;
  timeoutSeconds: number | undefined;
}): AsyncIterable<RuntimeEvent> {
  const { kc, core, namespace, selector, signal, timeoutSeconds } = input;
  const memory = new Map<string, PodMemory>();
  const queue: RuntimeEvent[] = [];
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const see = (type: string, pod: RawPod, emit: boolean) => {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const agentId = pod.metadata?.labels?.[KUBE_LABELS.agentId] ?? "";
    if (type === "DELETED") {
      memory.delete(uid);
      if (emit && agentId) queue.push({ agentId, type: "destroy", exitCode: null, at: new Date() });
      return;
    }
    const { events, now } = podTransitions(pod, memory.get(uid));
    memory.set(uid, now);
    if (emit) for (const event of events) queue.push({ ...event, at: new Date() });
  };
  const relist = async (emit: boolean): Promise<string | undefined> => {
    const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
    const present = new Set<string>();
    for (const pod of list.items) {
      present.add(pod.metadata?.uid ?? "");
      see("MODIFIED", pod as unknown as RawPod, emit);
    }
    for (const uid of [...memory.keys()]) if (!present.has(uid)) memory.delete(uid);
    return list.metadata?.resourceVersion;
  };
  let resourceVersion: string | undefined;
  try {
    resourceVersion = await relist(false);
  } catch (error) {
    throw toBackendError(error, "list the pods of managed runtimes");
  }
  const onAbort = () => notify();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (!signal.aborted) {
      let ended = false;
      let failure: unknown = null;
      let expired = false;
      const controller = await new Watch(kc).watch(
        `/api/v1/namespaces/${namespace}/pods`,
        { labelSelector: selector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (type: string, object: RawPod & { code?: number }) => {
          if (type === "ERROR") {
            // 410 Gone: the resourceVersion is too old; list again and diff.
            if (object.code === 410) expired = true;
            return;
          }
          if (object.metadata?.resourceVersion) resourceVersion = object.metadata.resourceVersion;
          if (type !== "BOOKMARK") see(type, object, true);
          notify();
        },
        (error: unknown) => {
          ended = true;
          failure = error;
          notify();
        },
      );
      const stop = () => controller.abort();
      signal.addEventListener("abort", stop, { once: true });
      try {
        while (!ended && !signal.aborted) {
          while (queue.length > 0) yield queue.shift() as RuntimeEvent;
          if (ended || signal.aborted) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        while (queue.length > 0 && !signal.aborted) yield queue.shift() as RuntimeEvent;
      } finally {
        signal.removeEventListener("abort", stop);
        controller.abort();
      }
      if (signal.aborted) return;
      const errorStatus = (failure as { statusCode?: number } | null)?.statusCode;
      if (expired || errorStatus === 410) {
        resourceVersion = await relist(true);
        while (queue.length > 0) yield queue.shift() as RuntimeEvent;
        continue;
      }
      // A watch the server closed after its timeout: resume from the last resourceVersion.
      if (failure === null || (failure as { name?: string }).name === "AbortError") continue;
      throw toBackendError(failure, "watch the pods of managed runtimes");
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
