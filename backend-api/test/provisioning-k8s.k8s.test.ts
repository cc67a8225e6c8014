import { randomBytes, randomUUID } from "node:crypto";
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from "@kubernetes/client-node";
import { createKubernetesBackend } from "@nora/backends";
import { startTestCluster, type TestCluster, testClusterPrerequisite } from "@nora/backends/testing-cluster";
import { createLogger } from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentStream, openAgentStream, statusIs } from "./agent-stream.js";
import { call, userWithSession } from "./identity.js";
import { deployingOwner, type ProvisioningStack, startProvisioningStack } from "./provisioning-harness.js";

/**
 * End to end on Kubernetes, as an operator and a script drive Nora: the provisioner (its own process)
 * registers the KUBECONFIG_PATH cluster, an admin checks it, the catalog offers k8s, an API key deploys
 * an agent there and it reaches `running` from the real controllers' status: the test cluster
 * (infra/test-cluster: kube-apiserver, kube-controller-manager, kube-scheduler and KWOK, 127.0.0.1
 * only) has KWOK play the kubelet of one fake node, so the Pod becomes Running and Ready by KWOK's
 * stages (its probes are not executed and no image is pulled). Then stop and start, drift, a Deployment
 * deleted by hand, and delete.
 */

const prerequisite = await testClusterPrerequisite({ required: process.env.NORA_CI === "1" });

let cluster: TestCluster;
let stack: ProvisioningStack;
let kc: KubeConfig;
let apps: AppsV1Api;
let core: CoreV1Api;
let apiKey: string;
let adminCookie: string;
let workspaceId: string;
let stream: AgentStream;
let agentId = "";
const NAMESPACE = `nora-agents-${randomBytes(3).toString("hex")}`;

const asKey = (method: string, path: string, body?: unknown) =>
  call(stack.app, { apiKey }, method, path, body);
const asAdmin = (method: string, path: string, body?: unknown) =>
  call(stack.app, { cookie: adminCookie }, method, path, body);

function nextStatus(...statuses: string[]) {
  const after = stream.events.at(-1)?.id ?? "0";
  return stream.until((event) => statusIs(...statuses)(event, after), 120_000);
}

const deploymentName = () => `nora-agent-${agentId}`;
const readDeployment = () => apps.readNamespacedDeployment({ name: deploymentName(), namespace: NAMESPACE });

/** Every object the agent's label selects, by kind (pods and ReplicaSets included). */
async function objectsOf(id: string): Promise<string[]> {
  const labelSelector = `nora.agent.id=${id}`;
  const namespace = NAMESPACE;
  const lists = await Promise.all([
    core.listNamespacedConfigMap({ namespace, labelSelector }),
    core.listNamespacedSecret({ namespace, labelSelector }),
    core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }),
    core.listNamespacedService({ namespace, labelSelector }),
    core.listNamespacedPod({ namespace, labelSelector }),
    apps.listNamespacedDeployment({ namespace, labelSelector }),
    apps.listNamespacedReplicaSet({ namespace, labelSelector }),
  ]);
  const kinds = [
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "Service",
    "Pod",
    "Deployment",
    "ReplicaSet",
  ];
  return lists.flatMap((list, i) => list.items.map((item) => `${kinds[i]}/${item.metadata?.name ?? "?"}`));
}

describe.skipIf(prerequisite.skip)(`provisioning end to end on Kubernetes${prerequisite.note}`, () => {
  beforeAll(async () => {
    cluster = await startTestCluster();
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    // The test cluster has no storage provisioner: a pre-made volume the real PV controller binds the
    // agent's claim to (KWOK's node never mounts it).
    for (const i of [1, 2]) {
      await core.createPersistentVolume({
        body: {
          metadata: { name: `${NAMESPACE}-pv${i}` },
          spec: {
            capacity: { storage: "20Gi" },
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            hostPath: { path: `/nora-test/${NAMESPACE}/pv${i}` },
          },
        },
      });
    }
    stack = await startProvisioningStack({
      image: "nora-runtime-openclaw:k8s-e2e",
      env: {
        KUBECONFIG_PATH: cluster.kubeconfigPath,
        KUBERNETES_NAMESPACE: NAMESPACE,
        KUBERNETES_CLUSTER_NAME: "test-cluster",
        DEPLOYMENT_BACKEND_READY_TIMEOUT_SECONDS: "90",
      },
    });
    const admin = await userWithSession(stack.app, { role: "admin" });
    adminCookie = admin.cookie;
    ({ workspaceId, apiKey } = await deployingOwner(stack.app));
  }, 40 * 60_000);

  afterAll(async () => {
    stream?.close();
    await stack?.close();
    await core?.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
    for (const i of [1, 2]) {
      await core?.deletePersistentVolume({ name: `${NAMESPACE}-pv${i}` }).catch(() => undefined);
    }
    await cluster?.stop();
  }, 60_000);

  it("runs on a test cluster with KWOK (no scripted Pod status in this file)", () => {
    expect(cluster.kwok, "KWOK did not start: see infra/test-cluster/README.md").toBe(true);
    expect(cluster.scheduler).toBe(true);
  });

  it("registers the KUBECONFIG_PATH cluster; the admin's check passes and the catalog then offers k8s", {
    timeout: 60_000,
  }, async () => {
    const before = await asKey("GET", "/api/catalog/runtimes");
    expect(before.status).toBe(200);
    const clusters = await asAdmin("GET", "/api/admin/clusters");
    const listed = (clusters.body.clusters as Array<{ id: string; name: string; source: string }>).find(
      (c) => c.name === "test-cluster",
    );
    expect(listed?.source).toBe("file");
    // The provisioner checked it on its own at start: usable before anyone presses test.
    let own: { ok: boolean } | null = null;
    for (const deadline = Date.now() + 20_000; own === null && Date.now() < deadline; ) {
      const got = await asAdmin("GET", `/api/admin/clusters/${listed?.id}`);
      own = (got.body.cluster as { lastCheck: { ok: boolean } | null }).lastCheck;
      if (own === null) await new Promise((done) => setTimeout(done, 200));
    }
    expect(own?.ok).toBe(true);
    const check = await asAdmin("POST", `/api/admin/clusters/${listed?.id}/test`);
    expect(check.status, JSON.stringify(check.body)).toBe(200);
    expect(check.body.check).toMatchObject({ ok: true, reachable: true, namespaceExists: true, missing: [] });
    const after = await asKey("GET", "/api/catalog/runtimes");
    const k8s = (after.body.targets as Array<{ name: string; available: boolean }>).find(
      (t) => t.name === "k8s",
    );
    expect(k8s?.available).toBe(true);
    expect(JSON.stringify([clusters.body, check.body, after.body])).not.toContain("client-key-data");
  });

  it("deploys an agent to the cluster: hardened objects, running from the real controllers' status", {
    timeout: 180_000,
  }, async () => {
    const deploy = await asKey("POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "k8s-openclaw",
      target: "k8s",
      memoryMb: 2048,
      vcpu: 1,
      template: { "AGENTS.md": "# k8s agent\n" },
    });
    expect(deploy.status, JSON.stringify(deploy.body)).toBe(202);
    agentId = (deploy.body.agent as { id: string }).id;
    stream = await openAgentStream(`${stack.app.url}/api/agents/${agentId}/events`, apiKey);
    const ready = await stream.until(statusIs("running", "warning", "failed", "error"), 150_000);
    expect(ready.metadata.to, ready.message).toBe("running");

    const deployment: V1Deployment = await readDeployment();
    expect(deployment.status?.readyReplicas).toBe(1);
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container?.resources?.limits).toMatchObject({ cpu: "1", memory: "2Gi" });
    expect(deployment.metadata?.labels?.["nora.workspace.id"]).toBe(workspaceId);
    const pods = await core.listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: `nora.agent.id=${agentId}`,
    });
    expect(pods.items[0]?.spec?.nodeName).toBe(cluster.nodeName);
    // No secret is visible in the pod spec: the runtime token is a Secret volume, not an env var.
    const { rows } = await stack.db.pool.query<{ runtimeUrl: string }>(
      `SELECT runtime_url AS "runtimeUrl" FROM agents WHERE id = $1`,
      [agentId],
    );
    expect(rows[0]?.runtimeUrl).toBe(`http://nora-agent-${agentId}.${NAMESPACE}.svc.cluster.local:9090`);
    const secret = await core.readNamespacedSecret({
      name: `nora-agent-${agentId}-secrets`,
      namespace: NAMESPACE,
    });
    const secretValues = Object.values(secret.data ?? {}).map((v) => Buffer.from(v, "base64").toString());
    expect(secretValues.length).toBeGreaterThan(0);
    for (const value of secretValues.filter((v) => v.length >= 16)) {
      expect(JSON.stringify(deployment)).not.toContain(value);
    }
  });

  it("stops (no replica) and starts it again", { timeout: 180_000 }, async () => {
    expect((await asKey("POST", `/api/agents/${agentId}/stop`)).status).toBe(202);
    expect((await nextStatus("stopped", "failed", "error")).metadata.to).toBe("stopped");
    expect((await readDeployment()).spec?.replicas).toBe(0);
    expect((await asKey("POST", `/api/agents/${agentId}/start`)).status).toBe(202);
    const started = await nextStatus("running", "warning", "failed", "error");
    expect(started.metadata.to, started.message).toBe("running");
  });

  it("reports a field changed by hand instead of fighting it, and takes it back when asked", {
    timeout: 240_000,
  }, async () => {
    const current = await readDeployment();
    const containers = current.spec?.template.spec?.containers ?? [];
    // What `kubectl edit` does: an update under another field manager.
    await apps.patchNamespacedDeployment(
      {
        name: deploymentName(),
        namespace: NAMESPACE,
        fieldManager: "kubectl-edit",
        body: [
          { op: "replace", path: "/spec/template/spec/containers/0/resources/limits/memory", value: "3Gi" },
        ],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect(containers).toHaveLength(1);
    expect((await asKey("POST", `/api/agents/${agentId}/redeploy`, {})).status).toBe(202);
    const refused = await nextStatus("running", "warning", "failed", "error");
    expect(refused.metadata.to).toBe("failed");
    expect(refused.message).toMatch(/kubectl-edit/);
    expect(refused.message).toMatch(/memory/);
    expect((await readDeployment()).spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe(
      "3Gi",
    );

    expect((await asKey("POST", `/api/agents/${agentId}/redeploy`, { overrideDrift: true })).status).toBe(
      202,
    );
    const taken = await nextStatus("running", "warning", "failed", "error");
    expect(taken.metadata.to, taken.message).toBe("running");
    expect((await readDeployment()).spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe(
      "2Gi",
    );
  });

  it("at start, marks the agent whose Deployment was deleted by hand failed and redeployable, and reports an object set no agent owns", {
    timeout: 180_000,
  }, async () => {
    await stack.provisioner.stop("SIGTERM");
    await apps.deleteNamespacedDeployment({ name: deploymentName(), namespace: NAMESPACE });
    // An object set of this installation whose agent row does not exist (a restored database, a
    // delete that never reached the cluster): made with Nora's own backend and labels.
    const { rows } = await stack.db.pool.query<{ id: string }>(
      "SELECT value #>> '{}' AS id FROM platform_settings WHERE key = 'installation_id'",
    );
    const orphan = createKubernetesBackend({
      kubeConfig: kc,
      namespace: NAMESPACE,
      installationId: rows[0]?.id as string,
      logger: createLogger({ service: "k8s-e2e-orphan", level: "silent" }),
      controlPlane: { namespace: "nora" },
    });
    const orphanId = randomUUID();
    await orphan.create({
      agentId: orphanId,
      workspaceId,
      revisionId: randomUUID(),
      deploymentId: randomUUID(),
      family: "openclaw",
      profile: "standard",
      image: "nora-runtime-openclaw:k8s-e2e",
      resources: { vcpu: 0.5, memoryMb: 2048, diskGb: 1 },
      env: {},
      files: [],
      secretFiles: [],
      ports: { contract: 9090, gateway: 18789, dashboard: null },
      hostPorts: null,
      subnet: null,
    });
    await stack.startProvisioner();
    const gone = await nextStatus("failed", "error");
    expect(gone.message).toMatch(/runtime is gone/);
    const found = async () => {
      const events = await asKey("GET", `/api/workspaces/${workspaceId}/events?type=runtime.orphan_found`);
      return (events.body.events as Array<{ agentId: string | null; message: string }>).filter(
        (e) => e.agentId === orphanId,
      );
    };
    for (const deadline = Date.now() + 30_000; (await found()).length === 0 && Date.now() < deadline; ) {
      await new Promise((done) => setTimeout(done, 250));
    }
    expect((await found())[0]?.message).toMatch(/has no agent/);
    // Reported, not removed (DOCKER_REMOVE_ORPHANS is off): still there until an operator decides.
    expect(await objectsOf(orphanId)).toContain(`Deployment/nora-agent-${orphanId}`);
    await orphan.remove(orphanId);
    expect((await asKey("POST", `/api/agents/${agentId}/redeploy`, {})).status).toBe(202);
    expect((await nextStatus("running", "warning", "failed", "error")).metadata.to).toBe("running");
  });

  it("deletes the agent: nothing labelled with it is left on the cluster", { timeout: 180_000 }, async () => {
    expect((await asKey("DELETE", `/api/agents/${agentId}`)).status).toBe(202);
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      if ((await asKey("GET", `/api/agents/${agentId}`)).status === 404) break;
      await new Promise((done) => setTimeout(done, 250));
    }
    expect((await asKey("GET", `/api/agents/${agentId}`)).status).toBe(404);
    expect(await objectsOf(agentId)).toEqual([]);
  });
});
