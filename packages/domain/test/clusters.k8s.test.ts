import { randomBytes, randomUUID } from "node:crypto";
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { KUBERNETES_REQUIRED_PERMISSIONS, loadKubeconfigFile } from "@nora/backends/kubernetes-cluster";
import { startTestCluster, type TestCluster } from "@nora/backends/testing-cluster";
import {
  type AppError,
  closeRedis,
  createLogger,
  createRedis,
  Keyring,
  type Redis,
  startWorkerService,
  type WorkerService,
} from "@nora/core";
import { createTestDatabase, LogCapture, type TestDatabase, testConfig } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClusterChecker } from "../src/clusters/check-job.js";
import { findCluster } from "../src/clusters/repo.js";
import {
  createDomain,
  createProvisioner,
  type Domain,
  type Provisioner,
  registerFileCluster,
} from "../src/index.js";

/**
 * Clusters end to end against a real kube-apiserver (RBAC on), PostgreSQL and Redis: a kubeconfig
 * stored through the cluster service, its check run by the provisioner's own `check-cluster` handler
 * (from createProvisioner) in a real BullMQ worker, the catalog's k8s availability, and k8s deploys
 * that need a cluster whose check passed. The kubeconfigs are ServiceAccount tokens from the
 * TokenRequest API, bound to Roles this file creates.
 */

const NAMESPACE = "nora-agents";
const logs = new LogCapture();

let cluster: TestCluster;
let db: TestDatabase;
let redis: Redis;
let domain: Domain;
let provisioner: Provisioner;
let worker: WorkerService;
/** The keyring's key: the test's own checker opens what the service sealed. */
const keyHex = randomBytes(32).toString("hex");
let caData: string;
let workspaceId: string;
let userId: string;

const ctx = () => ({ actor: { type: "user" as const, userId }, requestId: `test-${randomUUID()}` });
const caller = () => ({ ctx: ctx(), isPlatformAdmin: false });

beforeAll(async () => {
  cluster = await startTestCluster();
  const admin = loadKubeconfigFile(cluster.kubeconfigPath, {}).kubeConfig;
  caData = admin.getCurrentCluster()?.caData ?? "";
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });

  db = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: db.url,
    ENCRYPTION_KEY: keyHex,
    KUBECONFIG_PATH: cluster.kubeconfigPath,
    KUBERNETES_CLUSTER_NAME: "from-file",
    CLUSTER_CHECK_WAIT_MS: "15000",
  });
  const logger = createLogger({ service: "clusters-test", level: "info", destination: logs });
  redis = createRedis(config.redis, "clusters-test");
  domain = createDomain({ config, logger, pool: db.pool, redis });
  // No runtime backends: only the check-cluster handler is run here.
  // No file cluster at start (kubernetes: false): the tests below register it themselves.
  provisioner = await createProvisioner({
    config,
    pool: db.pool,
    redis,
    logger,
    domain,
    backends: {},
    kubernetes: false,
  });
  worker = await startWorkerService({
    name: "provisioner",
    config,
    logger,
    handlers: { clusters: provisioner.handlers.clusters },
    health: { host: "127.0.0.1", port: 0 },
  });
  const user = await db.pool.query<{ id: string }>(
    "INSERT INTO users (email, role) VALUES ('k8s@example.org', 'admin') RETURNING id",
  );
  userId = user.rows[0]?.id as string;
  const ws = await db.pool.query<{ id: string }>("INSERT INTO workspaces (name) VALUES ('k8s') RETURNING id");
  workspaceId = ws.rows[0]?.id as string;

  // Service accounts, each bound to a Role made from the required list (less what `except` names).
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  for (const [name, except] of [
    ["nora-full", undefined],
    ["nora-partial", { resource: "secrets", verb: "delete" }],
  ] as const) {
    await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name } } });
    const rules = KUBERNETES_REQUIRED_PERMISSIONS.map((p) => ({
      apiGroups: [p.group],
      resources: [p.resource],
      verbs: p.verbs.filter((v) => !(except && p.resource === except.resource && v === except.verb)),
    }));
    await rbac.createNamespacedRole({ namespace: NAMESPACE, body: { metadata: { name }, rules } });
    await rbac.createNamespacedRoleBinding({
      namespace: NAMESPACE,
      body: {
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name, namespace: NAMESPACE }],
      },
    });
  }
  tokens.full = await tokenOf(core, "nora-full");
  tokens.partial = await tokenOf(core, "nora-partial");
}, 180_000);

const tokens: Record<string, string> = {};

async function tokenOf(core: CoreV1Api, name: string): Promise<string> {
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace: NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return request.status?.token as string;
}

afterAll(async () => {
  await worker?.stop();
  await provisioner?.close();
  await domain?.close();
  if (redis) await closeRedis(redis);
  await db?.drop();
  await cluster?.stop();
});

function kubeconfig(token: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster: { server: cluster.server, "certificate-authority-data": caData } }],
    users: [{ name: "sa", user: { token } }],
    contexts: [{ name: "test", context: { cluster: "test", user: "sa" } }],
    "current-context": "test",
  });
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return `${(error as AppError).status} ${(error as AppError).code}`;
  }
  return "accepted";
}

const k8sTarget = async () => (await domain.runtimeCatalog.runtimes()).targets.find((t) => t.name === "k8s");
const deployK8s = (name: string, clusterId?: string) =>
  domain.deployments.deploy(
    workspaceId,
    { name, target: "k8s", ...(clusterId ? { clusterId } : {}) },
    caller(),
  );

describe("clusters against a real API server", () => {
  it("k8s is unavailable and refused while no cluster is configured", async () => {
    expect(await k8sTarget()).toMatchObject({
      available: false,
      reason: "no Kubernetes cluster is configured",
    });
    expect(await codeOf(deployK8s("nothing-yet"))).toBe("400 no_cluster");
  });

  it("a stored kubeconfig whose Role lacks delete on secrets fails its check, naming it, and takes no agents", async () => {
    const partial = await domain.clusters.create(
      {
        name: "partial",
        namespace: NAMESPACE,
        kubeconfig: kubeconfig(tokens.partial as string),
        isDefault: true,
      },
      ctx(),
    );
    expect(await k8sTarget()).toMatchObject({
      available: false,
      reason: 'cluster "partial" was never checked',
    });
    expect(await codeOf(deployK8s("unchecked"))).toBe("400 cluster_unavailable");

    const { check } = await domain.clusters.test(partial.id);
    expect(check).toMatchObject({
      reachable: true,
      ok: false,
      missing: [{ verb: "delete", group: "", resource: "secrets" }],
    });
    expect((await k8sTarget())?.reason).toMatch(
      /^the last check of cluster "partial" failed: missing permissions .*delete secrets/,
    );
    expect(await codeOf(deployK8s("refused"))).toBe("400 cluster_unavailable");
    expect(logs.text).not.toContain(tokens.partial);
  });

  it("a cluster whose check passes makes k8s available; a deploy records it (the default, or the one asked for)", async () => {
    const full = await domain.clusters.create(
      { name: "full", namespace: NAMESPACE, kubeconfig: kubeconfig(tokens.full as string) },
      ctx(),
    );
    const { check } = await domain.clusters.test(full.id);
    expect(check).toMatchObject({ reachable: true, ok: true, missing: [] });
    expect(await k8sTarget()).toMatchObject({ available: true, reason: null });
    const combos = (await domain.runtimeCatalog.runtimes()).combinations;
    expect(combos.find((c) => c.id === "openclaw/k8s/standard")).toMatchObject({
      available: true,
      maturity: "ga",
    });

    // The default is still "partial" (failed): a deploy without clusterId is refused; naming "full" works.
    expect(await codeOf(deployK8s("on-default"))).toBe("400 cluster_unavailable");
    const accepted = await deployK8s("on-full", full.id);
    expect(accepted.agent).toMatchObject({ target: "k8s", clusterId: full.id });
    const row = await db.pool.query("SELECT cluster_id FROM agents WHERE id = $1", [accepted.agent.id]);
    expect(row.rows[0]?.cluster_id).toBe(full.id);

    await domain.clusters.update(full.id, { isDefault: true }, ctx());
    const onDefault = await deployK8s("on-default");
    expect(onDefault.agent.clusterId).toBe(full.id);
    expect(await codeOf(domain.clusters.remove(full.id, ctx()))).toBe("409 cluster_in_use");
  });

  it("the KUBECONFIG_PATH cluster is a row without a stored kubeconfig, checked from the file", async () => {
    const config = testConfig({
      DATABASE_URL: db.url,
      KUBECONFIG_PATH: cluster.kubeconfigPath,
      KUBERNETES_CLUSTER_NAME: "from-file",
    });
    const logger = createLogger({ service: "clusters-test", level: "info", destination: logs });
    const id = (await registerFileCluster({ config, pool: db.pool, logger })) as string;
    expect(await registerFileCluster({ config, pool: db.pool, logger })).toBe(id);
    const row = await domain.clusters.get(id);
    expect(row).toMatchObject({
      name: "from-file",
      source: "file",
      hasKubeconfig: false,
      namespace: NAMESPACE,
    });
    expect(row.serverHost).toBe(new URL(cluster.server).host);
    const { check } = await domain.clusters.test(id);
    expect(check).toMatchObject({ reachable: true, ok: true, namespaceExists: true });
  });

  it("drops a check that ran against a kubeconfig replaced meanwhile; the periodic check stores a fresh one", async () => {
    const created = await domain.clusters.create(
      { name: "replaced", namespace: NAMESPACE, kubeconfig: kubeconfig(tokens.partial as string) },
      ctx(),
    );
    const before = (await findCluster(db.pool, created.id)) as NonNullable<
      Awaited<ReturnType<typeof findCluster>>
    >;
    await domain.clusters.update(created.id, { kubeconfig: kubeconfig(tokens.full as string) }, ctx());
    const checker = createClusterChecker({
      config: testConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: keyHex, CLUSTER_RECHECK_INTERVAL_MS: "0" }),
      pool: db.pool,
      keyring: Keyring.fromConfig(testConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: keyHex })),
      logger: createLogger({ service: "clusters-test", level: "silent" }),
    });
    // The check of the row as it was (the partial token): its result must not become the current one.
    await checker.checkRow(before, randomUUID(), createLogger({ service: "clusters-test", level: "silent" }));
    expect((await findCluster(db.pool, created.id))?.lastCheck).toBeNull();
    // The periodic loop (at start only, here) checks the row as it is now.
    await checker.recheckLoop(new AbortController().signal);
    expect((await findCluster(db.pool, created.id))?.lastCheck).toMatchObject({ ok: true, missing: [] });
  });
});
