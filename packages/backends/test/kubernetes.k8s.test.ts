import { randomBytes } from "node:crypto";
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type RequestContext,
  setHeaderOptions,
  type V1Pod,
} from "@kubernetes/client-node";
import { AGENT_PORTS, RUNTIME_LAYOUT, RUNTIME_PORTS, RUNTIME_UID, SECRET_FILES } from "@nora/agent-runtime";
import { createLogger } from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBackendError } from "../src/errors.js";
import { AGENT_KINDS, createKubernetesBackend, type KubernetesBackendOptions } from "../src/kubernetes.js";
import { agentSelector, kubeNames } from "../src/kubernetes-manifests.js";
import { testRunId } from "../src/testing.js";
import { startTestCluster, type TestCluster } from "../src/testing-cluster.js";
import type { RuntimeEvent, RuntimeSpec } from "../src/types.js";

// Against a real kube-apiserver + kube-controller-manager (infra/test-cluster, 127.0.0.1 only).
// No kubelet runs: where a Pod must look running, crashing or unschedulable, the test writes its
// status through the Pod's `status` subresource ("scripted Pod status") — the Deployment and
// ReplicaSet controllers then react to it for real. Those tests use `scripted()`, a backend whose pods
// name a scheduler that does not exist, so neither a real scheduler nor KWOK ever touches them and the
// test is their only kubelet. When the helper reports `kwok: true`, the KWOK test below runs a pod to
// Running/Ready on KWOK's fake node and the unschedulable test uses the real scheduler.

const RUN = testRunId();
const NAMESPACE = `nora-k8s-${RUN}`;
const INSTALLATION = `inst-${RUN}`;
const logger = createLogger({ service: "backends-k8s-test", level: "silent" });

let cluster: TestCluster & { kwok?: boolean };
let kc: KubeConfig;
let objects: KubernetesObjectApi;
let core: CoreV1Api;
let apps: AppsV1Api;
/** Every API request any client of `kc` makes ("METHOD path"). */
const requests: string[] = [];
/** Requests made outside the generated clients (watches, logs, exec): their count. */
let streamRequests = 0;

function backendWith(options: Partial<KubernetesBackendOptions> = {}) {
  return createKubernetesBackend({
    kubeConfig: kc,
    namespace: NAMESPACE,
    installationId: INSTALLATION,
    logger,
    controlPlane: { namespace: "nora-system", cidrs: ["10.0.0.0/8"] },
    egressAllowlist: { standard: [{ cidr: "192.0.2.0/24", ports: [5432] }] },
    removeTimeoutMs: 60_000,
    ...options,
  });
}

/** Pods no scheduler and no KWOK ever pick up: the test scripts their status. */
const NO_SCHEDULER = "nora-test-no-scheduler";
const scripted = (options: Partial<KubernetesBackendOptions> = {}) =>
  backendWith({ schedulerName: NO_SCHEDULER, ...options });

let counter = 0;
function makeSpec(overrides: Partial<RuntimeSpec> = {}): RuntimeSpec {
  counter += 1;
  return {
    agentId: `${RUN}-a${counter}`,
    workspaceId: `${RUN}-ws`,
    revisionId: `${RUN}-rev1`,
    deploymentId: `${RUN}-dep${counter}`,
    family: "openclaw",
    profile: "standard",
    image: "nora-runtime-contract:0123456789abcdef",
    resources: { vcpu: 0.5, memoryMb: 2048, diskGb: 2 },
    env: { NORA_AGENT_ID: `agent-${counter}`, NODE_ENV: "production" },
    files: [
      { path: "openclaw/openclaw.json", content: '{"gateway":{}}\n', mode: 0o644 },
      { path: "template/AGENTS.md", content: "# Agent\n", mode: 0o644 },
    ],
    secretFiles: [
      { path: SECRET_FILES.runtimeToken, content: randomBytes(24).toString("hex"), mode: 0o600 },
      { path: SECRET_FILES.agentEnv, content: '{"OPENAI_API_KEY":"sk-test"}', mode: 0o600 },
    ],
    ports: { contract: RUNTIME_PORTS.contract, gateway: RUNTIME_PORTS.openclawGateway, dashboard: null },
    hostPorts: null,
    subnet: "10.213.0.0/28",
    ...overrides,
  };
}

async function everything(agentId: string): Promise<KubernetesObject[]> {
  const found = await Promise.all(
    AGENT_KINDS.map(async (k) => {
      const list = await objects.list(
        k.apiVersion,
        k.kind,
        NAMESPACE,
        undefined,
        undefined,
        undefined,
        undefined,
        agentSelector(agentId, INSTALLATION),
      );
      return list.items.map((item) => ({ ...item, kind: k.kind }));
    }),
  );
  return found.flat();
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function podOf(agentId: string): Promise<V1Pod> {
  return waitFor(`a pod of ${agentId}`, async () => {
    const list = await core.listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: agentSelector(agentId, INSTALLATION),
    });
    return list.items.find((p) => !p.metadata?.deletionTimestamp);
  });
}

/** Scripted Pod status (no kubelet): what a kubelet would report, written to the status subresource. */
async function scriptPodStatus(pod: V1Pod, status: Record<string, unknown>): Promise<void> {
  await core.patchNamespacedPodStatus(
    { name: pod.metadata?.name ?? "", namespace: NAMESPACE, body: { status }, fieldManager: "test-kubelet" },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

const now = () => new Date().toISOString();
const runningStatus = (image: string) => ({
  phase: "Running",
  conditions: [
    { type: "PodScheduled", status: "True", lastTransitionTime: now() },
    { type: "Initialized", status: "True", lastTransitionTime: now() },
    { type: "ContainersReady", status: "True", lastTransitionTime: now() },
    { type: "Ready", status: "True", lastTransitionTime: now() },
  ],
  containerStatuses: [
    {
      name: "runtime",
      image,
      imageID: `docker.io/library/x@sha256:${"a".repeat(64)}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now() } },
    },
  ],
});

beforeAll(async () => {
  cluster = await startTestCluster();
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const original = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context: RequestContext) => {
    requests.push(`${context.getHttpMethod()} ${new URL(context.getUrl()).pathname}`);
    return original(context);
  };
  const originalFetchOptions = kc.applyToFetchOptions.bind(kc);
  kc.applyToFetchOptions = (opts) => {
    streamRequests += 1;
    return originalFetchOptions(opts);
  };
  objects = KubernetesObjectApi.makeApiClient(kc);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  // The test cluster has no storage provisioner: volumes the real PV controller binds the agents'
  // claims to, so the real scheduler places their pods (KWOK's node never mounts them).
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      core.createPersistentVolume({
        body: {
          metadata: { name: `${NAMESPACE}-pv${i}`, labels: { "nora.test": RUN } },
          spec: {
            capacity: { storage: "8Gi" },
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            hostPath: { path: `/nora-test/${NAMESPACE}/pv${i}` },
          },
        },
      }),
    ),
  );
}, 300_000);

afterAll(async () => {
  await core?.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
  await core?.deleteCollectionPersistentVolume({ labelSelector: `nora.test=${RUN}` }).catch(() => undefined);
  await cluster?.stop();
}, 60_000);

describe("Kubernetes backend against a real API server", () => {
  it("applies a representative agent's set (accepted by real validation and admission), one request per object", async () => {
    const backend = backendWith();
    const spec = makeSpec();
    const before = requests.length;
    const created = await backend.create(spec);
    const first = requests.slice(before);
    // A fresh backend first discovers the three API groups (cached for its lifetime).
    expect(first.filter((r) => r.startsWith("GET"))).toHaveLength(3);
    expect(first.filter((r) => r.startsWith("PATCH"))).toHaveLength(7);

    const second = makeSpec();
    const mark = requests.length;
    const started = performance.now();
    await backend.create(second);
    const elapsed = performance.now() - started;
    const counted = requests.slice(mark);
    console.info(`apply of one agent's set: ${counted.length} requests, ${elapsed.toFixed(0)} ms`);
    expect(counted).toHaveLength(7); // anchor + Secret, ConfigMap, PVC, NetworkPolicy, Service, Deployment
    expect(counted.every((r) => r.startsWith("PATCH"))).toBe(true);

    const names = kubeNames(spec.agentId);
    expect(created).toMatchObject({
      ref: names.deployment,
      endpoints: {
        runtimeUrl: `http://${names.service}.${NAMESPACE}.svc.cluster.local:9090`,
        gatewayUrl: `http://${names.service}.${NAMESPACE}.svc.cluster.local:18789`,
        dashboardUrl: null,
      },
      enforcement: { diskQuota: "enforced", egress: "open" },
      imageDigest: spec.image,
    });

    const kinds = (await everything(spec.agentId)).map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        `ConfigMap/${names.anchor}`,
        `ConfigMap/${names.bootstrap}`,
        `Secret/${names.secret}`,
        `PersistentVolumeClaim/${names.pvc}`,
        `Deployment/${names.deployment}`,
        `Service/${names.service}`,
        `NetworkPolicy/${names.networkPolicy}`,
      ]),
    );
    const deployment = await apps.readNamespacedDeployment({ name: names.deployment, namespace: NAMESPACE });
    const anchor = await core.readNamespacedConfigMap({ name: names.anchor, namespace: NAMESPACE });
    expect(deployment.metadata?.ownerReferences?.[0]).toMatchObject({
      uid: anchor.metadata?.uid,
      blockOwnerDeletion: true,
    });
    const pod = deployment.spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: RUNTIME_UID,
      fsGroup: RUNTIME_UID,
    });
    expect(pod?.containers[0]?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(
      pod?.containers[0]?.volumeMounts?.find((m) => m.mountPath === RUNTIME_LAYOUT.secrets)?.readOnly,
    ).toBe(true);
    // The ReplicaSet controller made a pod from it: the set is what a real cluster runs.
    await podOf(spec.agentId);
  });

  it("applying the same spec twice changes no resourceVersion", async () => {
    const backend = backendWith();
    const spec = makeSpec();
    await backend.create(spec);
    const versions = async () =>
      Object.fromEntries(
        (await everything(spec.agentId))
          .filter((o) => !["Pod", "ReplicaSet"].includes(o.kind ?? ""))
          .map((o) => [`${o.kind}/${o.metadata?.name}`, o.metadata?.resourceVersion]),
      );
    // Controllers write too (the Deployment's status); let them settle first.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const first = await versions();
    await backend.create(spec);
    const second = await versions();
    // The API server rewrites a freshly created PVC once on its first re-apply with no visible change
    // (reproduced with a plain curl apply-patch, independent of this client); every other object is
    // untouched, and from then on the PVC too.
    const pvcKey = `PersistentVolumeClaim/${kubeNames(spec.agentId).pvc}`;
    expect({ ...second, [pvcKey]: "" }).toEqual({ ...first, [pvcKey]: "" });
    await backend.create(spec);
    await backend.create(spec);
    expect(await versions()).toEqual(second);
    expect(Object.keys(first)).toHaveLength(7);
  });

  it("a family with a dashboard port: three Service ports of every type, admitted by the policy, re-applied without change", async () => {
    const hermesPorts = { contract: RUNTIME_PORTS.contract, ...AGENT_PORTS.hermes };
    for (const serviceType of ["ClusterIP", "NodePort", "LoadBalancer"] as const) {
      const backend = backendWith({ serviceType, nodeAddress: "127.0.0.1" });
      const spec = makeSpec({ family: "hermes", ports: hermesPorts });
      const created = await backend.create(spec);
      const names = kubeNames(spec.agentId);
      const service = await core.readNamespacedService({ name: names.service, namespace: NAMESPACE });
      expect(service.spec?.type).toBe(serviceType);
      expect(service.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([
        ["contract", 9090, "contract"],
        ["gateway", 8642, "gateway"],
        ["dashboard", 9119, "dashboard"],
      ]);
      const dashboard = service.spec?.ports?.find((p) => p.name === "dashboard");
      if (serviceType === "ClusterIP") {
        expect(created.endpoints.dashboardUrl).toBe(
          `http://${names.service}.${NAMESPACE}.svc.cluster.local:9119`,
        );
      } else {
        // The API server allocated a node port for the dashboard as for the other two.
        expect(dashboard?.nodePort).toBeGreaterThan(0);
      }
      if (serviceType === "NodePort") {
        expect(created.endpoints.dashboardUrl).toBe(`http://127.0.0.1:${dashboard?.nodePort}`);
      }
      const deployment = await apps.readNamespacedDeployment({
        name: names.deployment,
        namespace: NAMESPACE,
      });
      expect(deployment.spec?.template.spec?.containers[0]?.ports?.map((p) => p.containerPort)).toEqual([
        9090, 8642, 9119,
      ]);
      const policy = (await objects.read({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: names.networkPolicy, namespace: NAMESPACE },
      })) as { spec?: { ingress?: { ports?: { port?: number }[] }[] } };
      expect(policy.spec?.ingress?.[0]?.ports?.map((p) => p.port)).toEqual([9090, 8642, 9119]);
      expect((await backend.inspect(spec.agentId))?.endpoints).toEqual(created.endpoints);

      // Re-apply of the unchanged agent: seven applies, no object changed (the PVC's one-time rewrite aside).
      const versions = async () =>
        Object.fromEntries(
          (await everything(spec.agentId))
            .filter((o) => !["Pod", "ReplicaSet", "PersistentVolumeClaim"].includes(o.kind ?? ""))
            .map((o) => [`${o.kind}/${o.metadata?.name}`, o.metadata?.resourceVersion]),
        );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const before = await versions();
      const mark = requests.length;
      expect(await backend.create(spec)).toEqual(created);
      expect(requests.slice(mark)).toHaveLength(7);
      expect(await versions()).toEqual(before);
      expect(Object.keys(before)).toHaveLength(6);
      await backend.remove(spec.agentId);
    }
  });

  it("a field changed by hand by another manager is reported as drift naming it; force takes it back", async () => {
    const backend = backendWith();
    const spec = makeSpec();
    await backend.create(spec);
    const name = kubeNames(spec.agentId).deployment;
    // What `kubectl edit` does: a strategic merge patch under its own field manager.
    await objects.patch(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: NAMESPACE },
        spec: {
          template: { spec: { containers: [{ name: "runtime", resources: { limits: { memory: "3Gi" } } }] } },
        },
      } as KubernetesObject,
      undefined,
      undefined,
      "kubectl-edit",
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
    expect((await backend.diff(spec)).drift).toMatch(/kubectl-edit/);
    // A dry run of an agent that does not exist yet reports nothing and creates nothing.
    const fresh = makeSpec();
    expect(await backend.diff(fresh)).toEqual({ drift: null });
    expect(await everything(fresh.agentId)).toEqual([]);
    const error = await backend.create(spec).catch((e: unknown) => e);
    expect(isBackendError(error, "drift")).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`Deployment ${NAMESPACE}/${name}`);
    expect(message).toContain('.spec.template.spec.containers[name="runtime"].resources.limits.memory');
    expect(message).toContain('"kubectl-edit"');
    const limit = async () =>
      (await apps.readNamespacedDeployment({ name, namespace: NAMESPACE })).spec?.template.spec?.containers[0]
        ?.resources?.limits?.memory;
    expect(await limit()).toBe("3Gi");

    await backend.create(spec, { force: true });
    expect(await limit()).toBe("2Gi"); // 2048Mi as the server writes the quantity
    expect((await backend.diff(spec)).drift).toBeNull();
    await backend.create(spec);
  });

  it("remove leaves nothing labelled with the agent; keepData keeps only the claim, unowned", async () => {
    const backend = backendWith();
    const spec = makeSpec();
    await backend.create(spec);
    await podOf(spec.agentId);
    await backend.remove(spec.agentId, { keepData: true });
    const kept = await everything(spec.agentId);
    expect(kept.map((o) => o.kind)).toEqual(["PersistentVolumeClaim"]);
    expect(kept[0]?.metadata?.ownerReferences ?? []).toEqual([]);

    await backend.create(spec); // re-adopts the kept claim
    const pvc = await core.readNamespacedPersistentVolumeClaim({
      name: kubeNames(spec.agentId).pvc,
      namespace: NAMESPACE,
    });
    expect(pvc.metadata?.ownerReferences).toHaveLength(1);
    const mark = requests.length;
    const started = performance.now();
    await backend.remove(spec.agentId);
    console.info(
      `remove of one agent's set: ${(performance.now() - started).toFixed(0)} ms, ${requests.length - mark} requests (waiting included)`,
    );
    expect(await everything(spec.agentId)).toEqual([]);
    await backend.remove(spec.agentId); // absent is not an error
  });

  it("deleting the anchor alone lets the garbage collector remove the set", async () => {
    const backend = backendWith();
    const spec = makeSpec();
    await backend.create(spec);
    await podOf(spec.agentId);
    await core.deleteNamespacedConfigMap({
      name: kubeNames(spec.agentId).anchor,
      namespace: NAMESPACE,
      propagationPolicy: "Foreground",
    });
    const left = await waitFor(
      "the garbage collector",
      async () => {
        const objectsLeft = await everything(spec.agentId);
        return objectsLeft.length === 0 ? [] : false;
      },
      90_000,
    );
    expect(left).toEqual([]);
  }, 120_000);

  it("status follows a rollout, a bad image reference and recovery (scripted Pod status)", async () => {
    const backend = scripted();
    const spec = makeSpec();
    await backend.create(spec);
    const pending = await backend.inspect(spec.agentId);
    expect(pending).toMatchObject({ agentId: spec.agentId, state: "created", running: false, ready: false });
    expect(pending?.problem).toBeUndefined();

    let pod = await podOf(spec.agentId);
    await scriptPodStatus(pod, runningStatus(spec.image));
    const running = await waitFor("ready", async () => {
      const info = await backend.inspect(spec.agentId);
      return info?.ready ? info : undefined;
    });
    expect(running).toMatchObject({
      state: "running",
      running: true,
      ready: true,
      revisionId: spec.revisionId,
    });
    expect(running.problem).toBeUndefined();

    // A redeploy to an image that cannot be pulled: a new pod whose kubelet (scripted) reports it.
    const bad = { ...spec, image: "registry.invalid/nora/missing:1", revisionId: `${RUN}-rev2` };
    await backend.create(bad);
    pod = await waitFor("the new pod", async () => {
      const p = await podOf(spec.agentId);
      return p.spec?.containers[0]?.image === bad.image ? p : undefined;
    });
    await scriptPodStatus(pod, {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now() }],
      containerStatuses: [
        {
          name: "runtime",
          image: bad.image,
          imageID: "",
          ready: false,
          restartCount: 0,
          state: {
            waiting: {
              reason: "ImagePullBackOff",
              message: `Back-off pulling image "${bad.image}": ErrImagePull: not found`,
            },
          },
        },
      ],
    });
    const failing = await waitFor("image_pull", async () => {
      const info = await backend.inspect(spec.agentId);
      return info?.problem?.code === "image_pull" ? info : undefined;
    });
    expect(failing.ready).toBe(false);
    expect(failing.problem?.message).toContain(`image "${bad.image}" cannot be pulled: ImagePullBackOff`);
    expect(failing.problem?.message).toContain("pull secret");

    // Recovery: a good image again.
    await backend.create({ ...spec, revisionId: `${RUN}-rev3` });
    pod = await waitFor("the recovered pod", async () => {
      const p = await podOf(spec.agentId);
      return p.spec?.containers[0]?.image === spec.image ? p : undefined;
    });
    await scriptPodStatus(pod, runningStatus(spec.image));
    const recovered = await waitFor("recovered", async () => {
      const info = await backend.inspect(spec.agentId);
      return info?.ready && info.revisionId === `${RUN}-rev3` ? info : undefined;
    });
    expect(recovered.problem).toBeUndefined();
  }, 90_000);

  it("the Deployment controller's ProgressDeadlineExceeded maps to progress_deadline", async () => {
    // A pod nothing schedules never becomes available: the controller's deadline passes for real.
    const backend = scripted({ progressDeadlineSeconds: 1 });
    const spec = makeSpec();
    await backend.create(spec);
    const info = await waitFor(
      "ProgressDeadlineExceeded",
      async () => {
        const i = await backend.inspect(spec.agentId);
        return i?.problem?.code === "progress_deadline" ? i : undefined;
      },
      60_000,
    );
    expect(info.problem?.message).toMatch(/no progress within 1s/);
  }, 90_000);

  it("an unschedulable pod maps to unschedulable (real scheduler with KWOK, else scripted PodScheduled=False)", async () => {
    const spec = makeSpec({ resources: { vcpu: 200, memoryMb: 2048, diskGb: 1 } });
    const backend = cluster.kwok ? backendWith() : scripted();
    await backend.create(spec);
    const pod = await podOf(spec.agentId);
    if (!cluster.kwok) {
      await scriptPodStatus(pod, {
        phase: "Pending",
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available.",
            lastTransitionTime: now(),
          },
        ],
      });
    }
    const info = await waitFor("unschedulable", async () => {
      const i = await backend.inspect(spec.agentId);
      return i?.problem?.code === "unschedulable" ? i : undefined;
    });
    expect(info.problem?.message).toMatch(/^no node fits: 0\/\d+ nodes are available: .*Insufficient cpu/);
  });

  it("reaches running and ready on KWOK's fake node (real scheduler and fake kubelet; skipped without KWOK)", async (context) => {
    if (!cluster.kwok) context.skip();
    const backend = backendWith();
    const spec = makeSpec();
    await backend.create(spec);
    const info = await waitFor(
      "ready on KWOK",
      async () => {
        const i = await backend.inspect(spec.agentId);
        return i?.ready ? i : undefined;
      },
      60_000,
    );
    expect(info).toMatchObject({ state: "running", running: true });
    expect(info.problem).toBeUndefined();
  }, 90_000);

  it("stop, start and restart act on replicas and the pod template without fighting the next apply", async () => {
    const backend = backendWith();
    const spec = makeSpec();
    await backend.create(spec);
    const name = kubeNames(spec.agentId).deployment;
    const read = () => apps.readNamespacedDeployment({ name, namespace: NAMESPACE });
    await backend.stop(spec.agentId);
    expect((await read()).spec?.replicas).toBe(0);
    await waitFor("stopped", async () => (await backend.inspect(spec.agentId))?.state === "exited");
    await backend.create(spec); // no drift: replicas belong to the lifecycle manager
    expect((await read()).spec?.replicas).toBe(1);
    await backend.stop(spec.agentId);
    await backend.start(spec.agentId);
    expect((await read()).spec?.replicas).toBe(1);
    await backend.restart(spec.agentId);
    expect((await read()).spec?.template.metadata?.annotations?.["nora.restarted-at"]).toBeTruthy();
    await backend.create(spec);
    const error = await backend.start(`${RUN}-none`).catch((e: unknown) => e);
    expect(isBackendError(error, "runtime_not_found")).toBe(true);
  });

  it("listManaged reports every managed Deployment of the installation; inspect of a hand-deleted one is null", async () => {
    const backend = backendWith();
    const spec = makeSpec();
    await backend.create(spec);
    const managed = await backend.listManaged();
    expect(managed.map((m) => m.agentId)).toContain(spec.agentId);
    expect(managed.find((m) => m.agentId === spec.agentId)).toMatchObject({
      workspaceId: spec.workspaceId,
      ref: kubeNames(spec.agentId).deployment,
    });
    const other = createKubernetesBackend({ ...backendOptionsFor("inst-other") });
    expect((await other.listManaged()).map((m) => m.agentId)).not.toContain(spec.agentId);
    await apps.deleteNamespacedDeployment({ name: kubeNames(spec.agentId).deployment, namespace: NAMESPACE });
    await waitFor("the deployment gone", async () => (await backend.inspect(spec.agentId)) === null);
  });

  it("events follow the pod across watches the server ends: start, then oom and die (scripted Pod status)", async () => {
    // The server ends each watch after 1 s: the events below arrive on resumed watches.
    const backend = scripted({ watchTimeoutSeconds: 1 });
    const spec = makeSpec();
    await backend.create(spec);
    const pod = await podOf(spec.agentId);
    const controller = new AbortController();
    const seen: RuntimeEvent[] = [];
    const watchesBefore = streamRequests;
    const done = (async () => {
      for await (const event of backend.events(controller.signal)) {
        if (event.agentId === spec.agentId) seen.push(event);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await scriptPodStatus(pod, runningStatus(spec.image));
    try {
      await waitFor("start", async () => seen.some((e) => e.type === "start"));
      const execError = await backend
        .exec(spec.agentId, ["true"], { timeoutMs: 5000 })
        .catch((e: unknown) => e);
      // No kubelet behind the scripted pod: the API server refuses the exec upgrade (400).
      expect(execError).toMatchObject({ code: "runtime_not_found" });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await scriptPodStatus(pod, {
        containerStatuses: [
          {
            name: "runtime",
            image: spec.image,
            imageID: "",
            ready: false,
            restartCount: 1,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } },
            lastState: {
              terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: now(), startedAt: now() },
            },
          },
        ],
      });
      await waitFor("die", async () => seen.some((e) => e.type === "die"));
      // No kubelet serves this pod: the API server answers its log with 204 No Content, an empty log.
      expect(await backend.logs(spec.agentId)).toBe("");
    } finally {
      controller.abort();
      await done;
    }
    expect(seen.map((e) => e.type)).toEqual(["start", "oom", "die"]);
    expect(streamRequests - watchesBefore).toBeGreaterThanOrEqual(3); // resumed at least twice
    expect(seen[2]?.exitCode).toBe(137);
    expect((await backend.inspect(spec.agentId))?.problem?.code).toBe("oom");
  });

  it("a 403 names the verb and resource Nora's credentials lack (an RBAC Role made by the test)", async () => {
    const account = `limited-${RUN}`;
    await core.createNamespacedServiceAccount({
      namespace: NAMESPACE,
      body: { metadata: { name: account } },
    });
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: NAMESPACE,
      body: {
        metadata: { name: account },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "patch", "create"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: NAMESPACE,
      body: {
        metadata: { name: account },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
        subjects: [{ kind: "ServiceAccount", name: account, namespace: NAMESPACE }],
      },
    });
    const token = await core.createNamespacedServiceAccountToken({
      name: account,
      namespace: NAMESPACE,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const current = kc.getCurrentCluster();
    const limited = new KubeConfig();
    limited.loadFromOptions({
      clusters: [{ name: "c", server: current?.server ?? "", caData: current?.caData ?? "" }],
      users: [{ name: "u", token: token.status?.token ?? "" }],
      contexts: [{ name: "x", cluster: "c", user: "u", namespace: NAMESPACE }],
      currentContext: "x",
    });
    const backend = createKubernetesBackend({ ...backendOptionsFor(INSTALLATION), kubeConfig: limited });
    const error = await backend.create(makeSpec()).catch((e: unknown) => e);
    expect(isBackendError(error, "forbidden")).toBe(true);
    expect((error as Error).message).toMatch(
      /cannot patch resource "secrets" in API group "" in the namespace/,
    );
  });

  it("maps the server's refusals: 422 to invalid_spec with its words, a closed port to backend_unavailable", async () => {
    const backend = backendWith({ extraLabels: { "nora.test": "x".repeat(70) } });
    const error = await backend.create(makeSpec()).catch((e: unknown) => e);
    expect(isBackendError(error, "invalid_spec")).toBe(true);
    expect((error as Error).message).toMatch(
      /metadata\.labels: Invalid value: "x+": must be no more than 63/,
    );

    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [{ name: "c", server: "https://127.0.0.1:1", skipTLSVerify: true }],
      users: [{ name: "u", token: "x" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const down = createKubernetesBackend({ ...backendOptionsFor(INSTALLATION), kubeConfig: unreachable });
    const downError = await down.inspect("a1").catch((e: unknown) => e);
    expect(isBackendError(downError, "backend_unavailable")).toBe(true);
  });
});

function backendOptionsFor(installationId: string): KubernetesBackendOptions {
  return {
    kubeConfig: kc,
    namespace: NAMESPACE,
    installationId,
    logger,
    controlPlane: { namespace: "nora-system" },
  };
}
