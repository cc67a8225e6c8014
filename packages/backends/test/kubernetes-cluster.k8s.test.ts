import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import {
  CoreV1Api,
  type KubeConfig,
  loadYaml,
  RbacAuthorizationV1Api,
  type V1Role,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkCluster,
  KUBERNETES_REQUIRED_PERMISSIONS,
  loadKubeconfigFile,
  parseKubeconfig,
  requiredRoleManifest,
} from "../src/kubernetes-cluster.js";
import { startTestCluster, type TestCluster } from "../src/testing-cluster.js";

/** The connectivity check against a real kube-apiserver (RBAC on), started by this file. */

const NAMESPACE = "nora-agents";

/** A loopback port with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A kubeconfig as an admin would store it through the API: embedded CA and a bearer token. */
function tokenKubeconfig(server: string, caData: string, token: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster: { server, "certificate-authority-data": caData } }],
    users: [{ name: "sa", user: { token } }],
    contexts: [{ name: "test", context: { cluster: "test", user: "sa", namespace: NAMESPACE } }],
    "current-context": "test",
  });
}

describe("checkCluster against a real API server", () => {
  let cluster: TestCluster;
  let admin: KubeConfig;
  let caData: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    admin = loadKubeconfigFile(cluster.kubeconfigPath, {}).kubeConfig;
    const file = parseKubeconfig(await readFile(cluster.kubeconfigPath, "utf8"), { source: "file" });
    caData = file.kubeConfig.getCurrentCluster()?.caData ?? "";
    expect(caData).not.toBe("");
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  /** A ServiceAccount bound to a Role the test creates from `rules`; its kubeconfig (TokenRequest token). */
  async function serviceAccountKubeconfig(
    name: string,
    rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> | V1Role,
  ): Promise<string> {
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name } } });
    const role: V1Role = Array.isArray(rules) ? { metadata: { name }, rules } : rules;
    await rbac.createNamespacedRole({ namespace: NAMESPACE, body: role });
    await rbac.createNamespacedRoleBinding({
      namespace: NAMESPACE,
      body: {
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata?.name as string },
        subjects: [{ kind: "ServiceAccount", name, namespace: NAMESPACE }],
      },
    });
    const request = await core.createNamespacedServiceAccountToken({
      name,
      namespace: NAMESPACE,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = request.status?.token ?? "";
    expect(token).not.toBe("");
    return tokenKubeconfig(cluster.server, caData, token);
  }

  const roleRules = (except?: { resource: string; verb: string }) =>
    KUBERNETES_REQUIRED_PERMISSIONS.map((p) => ({
      apiGroups: [p.group],
      resources: [p.resource],
      verbs: p.verbs.filter((v) => !(except && p.resource === except.resource && v === except.verb)),
    }));

  it("passes with the admin kubeconfig", async () => {
    const check = await checkCluster(admin, NAMESPACE);
    expect(check).toMatchObject({ reachable: true, namespaceExists: true, missing: [], ok: true });
    // The test cluster is built without version stamping: gitVersion is "v0.0.0-master+...".
    expect(check.version).toMatch(/^v\d+\.\d+\.\d+/);
    expect(check.permissions.every((p) => p.allowed)).toBe(true);
  });

  it("passes for a ServiceAccount bound to the documented Role (the manifest, applied as written)", async () => {
    const manifest = loadYaml<V1Role>(requiredRoleManifest(NAMESPACE));
    const text = await serviceAccountKubeconfig("nora-full", manifest);
    const check = await checkCluster(parseKubeconfig(text, { source: "api" }).kubeConfig, NAMESPACE);
    // The Role is namespaced: the account may not read Namespace objects, so existence is unknown.
    expect(check).toMatchObject({ reachable: true, namespaceExists: null, missing: [], ok: true });
  });

  it("refuses a ServiceAccount whose Role lacks delete on secrets, naming exactly that", async () => {
    const text = await serviceAccountKubeconfig(
      "nora-partial",
      roleRules({ resource: "secrets", verb: "delete" }),
    );
    const check = await checkCluster(parseKubeconfig(text, { source: "api" }).kubeConfig, NAMESPACE);
    expect(check.reachable).toBe(true);
    expect(check.ok).toBe(false);
    expect(check.missing).toEqual([{ verb: "delete", group: "", resource: "secrets" }]);
    expect(check.message).toContain("delete secrets");
  });

  it("refuses the right Role in another namespace", async () => {
    const text = await serviceAccountKubeconfig("nora-elsewhere", roleRules());
    const check = await checkCluster(parseKubeconfig(text, { source: "api" }).kubeConfig, "other-ns");
    expect(check.ok).toBe(false);
    expect(check.missing).toHaveLength(check.permissions.length);
  });

  it("reports a closed port as unreachable, quickly", async () => {
    const port = await closedPort();
    const text = tokenKubeconfig(`https://127.0.0.1:${port}`, caData, "unused-token");
    const started = Date.now();
    const check = await checkCluster(parseKubeconfig(text, { source: "api" }).kubeConfig, NAMESPACE, {
      timeoutMs: 3_000,
    });
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(check).toMatchObject({ reachable: false, ok: false, version: null, permissions: [] });
    expect(check.message).toMatch(/cannot be reached \(ECONNREFUSED\)/);
    expect(check.message).not.toContain("unused-token");
  });

  it("gives up on a server that accepts connections and never answers, within the deadline", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const text = tokenKubeconfig(`https://127.0.0.1:${port}`, caData, "unused-token");
      const started = Date.now();
      const check = await checkCluster(parseKubeconfig(text, { source: "api" }).kubeConfig, NAMESPACE, {
        timeoutMs: 1_000,
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(check).toMatchObject({ reachable: false, ok: false });
      expect(check.message).toContain("did not answer within 1000 ms");
    } finally {
      silent.close();
    }
  });
});
