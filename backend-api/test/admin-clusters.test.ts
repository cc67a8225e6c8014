import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { Keyring, openSealed, startWorkerService, type WorkerService } from "@nora/core";
import { createClusterCheckJob } from "@nora/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, userWithSession } from "./identity.js";

/**
 * The cluster admin routes against the real PostgreSQL and Redis. No Kubernetes API server is
 * needed here: kubeconfigs point at 127.0.0.1 and nothing connects to them except the check, which
 * runs in a real BullMQ worker against a closed loopback port (admin-clusters.k8s.test.ts checks a
 * real API server).
 */

const KEY = randomBytes(32).toString("hex");
const TOKEN = `kube-token-canary-${randomUUID()}`;
const ENV = { ...NO_RATE_LIMITS, ENCRYPTION_KEY: KEY, CLUSTER_CHECK_WAIT_MS: "800" };

function kubeconfig(
  opts: { server?: string; user?: Record<string, unknown>; cluster?: Record<string, unknown> } = {},
): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: prod",
    "  cluster:",
    `    server: ${opts.server ?? "https://127.0.0.1:6443"}`,
    "    certificate-authority-data: Q0E=",
    ...Object.entries(opts.cluster ?? {}).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
    "users:",
    "- name: nora",
    "  user:",
    `    token: ${TOKEN}`,
    ...Object.entries(opts.user ?? {}).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
    "contexts:",
    "- name: main",
    "  context: {cluster: prod, user: nora}",
    "current-context: main",
    "",
  ].join("\n");
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("admin cluster routes", () => {
  let app: TestApp;
  let admin: { id: string; cookie: string };

  beforeAll(async () => {
    app = await startTestApp({ env: ENV });
    admin = await userWithSession(app, { role: "admin" });
  });
  afterAll(() => app.close());

  const asAdmin = (method: string, path: string, body?: unknown) =>
    call(app, { cookie: admin.cookie }, method, path, body);
  const state = async () =>
    (
      await app.db.pool.query(
        `SELECT (SELECT count(*)::int FROM clusters) AS clusters,
           (SELECT count(*)::int FROM audit_log WHERE action LIKE 'cluster.%') AS audit`,
      )
    ).rows[0];
  const create = (body: Record<string, unknown> = {}) =>
    asAdmin("POST", "/api/admin/clusters", {
      name: `c-${randomUUID().slice(0, 8)}`,
      namespace: "nora-agents",
      kubeconfig: kubeconfig(),
      ...body,
    });

  it("stores a kubeconfig sealed, answers without it, and audits without it", async () => {
    const res = await create({ name: "Production", serviceType: "LoadBalancer", storageClass: "fast-ssd" });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain(TOKEN);
    expect(res.text).not.toContain('kubeconfig"');
    const cluster = res.body.cluster as Record<string, unknown>;
    expect(cluster).toMatchObject({
      name: "Production",
      namespace: "nora-agents",
      source: "api",
      hasKubeconfig: true,
      serverHost: "127.0.0.1:6443",
      serviceType: "LoadBalancer",
      storageClass: "fast-ssd",
      lastCheck: null,
      warnings: [],
      agentCount: 0,
    });
    const { rows } = await app.db.pool.query<{ sealed: string }>(
      "SELECT kubeconfig_sealed AS sealed FROM clusters WHERE id = $1",
      [cluster.id],
    );
    const sealed = rows[0]?.sealed as string;
    expect(sealed).toMatch(/^nora:v1:/);
    expect(sealed).not.toContain(TOKEN);
    const opened = openSealed(Keyring.fromConfig(app.config), sealed, {
      table: "clusters",
      column: "kubeconfig_sealed",
      rowId: cluster.id as string,
    });
    expect(opened.value).toContain(TOKEN);
    for (const path of ["/api/admin/clusters", `/api/admin/clusters/${cluster.id}`]) {
      const read = await asAdmin("GET", path);
      expect(read.status).toBe(200);
      expect(read.text).not.toContain(TOKEN);
    }
    const audit = await app.db.pool.query(
      "SELECT metadata::text AS m FROM audit_log WHERE action = 'cluster.created'",
    );
    expect(audit.rows.map((r) => r.m).join()).not.toContain(TOKEN);
    expect(app.logs.text).not.toContain(TOKEN);
  });

  it.each([
    [{ user: { exec: { command: "sh", args: ["-c", "id"] } } }, "exec_forbidden"],
    [{ user: { "auth-provider": { name: "gcp" } } }, "auth_provider_forbidden"],
    [{ user: { "client-key": "/etc/shadow" } }, "file_reference_forbidden"],
    [{ user: { "token-file": "/var/run/secrets/token" } }, "file_reference_forbidden"],
    [{ cluster: { "certificate-authority": "/etc/ssl/ca.pem" } }, "file_reference_forbidden"],
    [{ server: "http://127.0.0.1:6443" }, "server_not_https"],
    [{ cluster: { "insecure-skip-tls-verify": true } }, "insecure_tls_forbidden"],
  ])("refuses %j with 400 naming %s, storing nothing", async (opts, rule) => {
    const before = await state();
    const res = await create({ kubeconfig: kubeconfig(opts) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "kubeconfig_invalid", details: { rule } });
    expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    expect(res.text).not.toContain(TOKEN);
    expect(await state()).toEqual(before);
  });

  it("refuses a kubeconfig without a current context, and one that is not YAML", async () => {
    const noContext = kubeconfig().replace("current-context: main", "");
    expect((await create({ kubeconfig: noContext })).body).toMatchObject({
      details: { rule: "current_context_missing" },
    });
    const broken = await create({ kubeconfig: `token: ${TOKEN}\n  : : [` });
    expect(broken.body).toMatchObject({ details: { rule: "kubeconfig_yaml" } });
    expect(broken.text).not.toContain(TOKEN);
  });

  it("keeps one default, replaces a kubeconfig without showing it, and clears the stale check", async () => {
    const first = (await create({ isDefault: true })).body.cluster as { id: string };
    const second = (await create({ isDefault: true })).body.cluster as { id: string };
    const defaults = await app.db.pool.query("SELECT id FROM clusters WHERE is_default");
    expect(defaults.rows.map((r) => r.id)).toEqual([second.id]);
    await app.db.pool.query(
      `UPDATE clusters SET last_check = '{"ok": true}', last_checked_at = now(), last_check_id = $2 WHERE id = $1`,
      [first.id, randomUUID()],
    );
    const other = kubeconfig({ server: "https://127.0.0.2:7443" });
    const res = await asAdmin("PATCH", `/api/admin/clusters/${first.id}`, {
      kubeconfig: other,
      storageClass: null,
    });
    expect(res.status).toBe(200);
    expect(res.body.cluster).toMatchObject({
      serverHost: "127.0.0.2:7443",
      lastCheck: null,
      isDefault: false,
    });
    expect(res.text).not.toContain(TOKEN);
    const refused = await asAdmin("PATCH", `/api/admin/clusters/${first.id}`, {
      kubeconfig: kubeconfig({ user: { exec: { command: "x" } } }),
    });
    expect(refused.body).toMatchObject({ error: "kubeconfig_invalid", details: { rule: "exec_forbidden" } });
    const audit = await app.db.pool.query(
      "SELECT metadata FROM audit_log WHERE action = 'cluster.updated' AND target_id = $1",
      [first.id],
    );
    expect(audit.rows[0]?.metadata).toMatchObject({ fields: ["kubeconfig", "storageClass"] });
    const taken = await asAdmin("PATCH", `/api/admin/clusters/${first.id}`, { name: "Production" });
    expect(taken).toMatchObject({ status: 409, body: { error: "name_taken" } });
  });

  it("refuses to delete a cluster agents use (409), then deletes it with an audit entry", async () => {
    const cluster = (await create()).body.cluster as { id: string };
    const ws = await app.db.pool.query<{ id: string }>(
      "INSERT INTO workspaces (name) VALUES ('k8s ws') RETURNING id",
    );
    const agent = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name, deploy_target, cluster_id) VALUES ($1, 'on k8s', 'k8s', $2) RETURNING id",
      [ws.rows[0]?.id, cluster.id],
    );
    const busy = await asAdmin("DELETE", `/api/admin/clusters/${cluster.id}`);
    expect(busy).toMatchObject({ status: 409, body: { error: "cluster_in_use" } });
    expect((await asAdmin("GET", `/api/admin/clusters/${cluster.id}`)).body.cluster).toMatchObject({
      agentCount: 1,
    });
    await app.db.pool.query("DELETE FROM agents WHERE id = $1", [agent.rows[0]?.id]);
    expect((await asAdmin("DELETE", `/api/admin/clusters/${cluster.id}`)).status).toBe(204);
    expect((await asAdmin("GET", `/api/admin/clusters/${cluster.id}`)).status).toBe(404);
    const audit = await app.db.pool.query(
      "SELECT 1 FROM audit_log WHERE action = 'cluster.deleted' AND target_id = $1",
      [cluster.id],
    );
    expect(audit.rows).toHaveLength(1);
  });

  it("answers 503 cluster_check_timeout when no provisioner answers, having queued ids only", async () => {
    const cluster = (await create()).body.cluster as { id: string };
    const started = Date.now();
    const res = await asAdmin("POST", `/api/admin/clusters/${cluster.id}/test`);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: "cluster_check_timeout" });
    expect(res.body.message).toMatch(/No provisioner answered/);
    expect(Date.now() - started).toBeLessThan(3_000);
    const keys = await app.redis.keys(`${app.config.redis.keyPrefix}:clusters:*`);
    const jobKey = keys.find((k) => /:clusters:[0-9a-f-]{36}$/.test(k)) as string;
    const data = JSON.parse((await app.redis.hget(jobKey, "data")) as string);
    expect(Object.keys(data).sort()).toEqual(["checkId", "clusterId"]);
    expect(data.clusterId).toBe(cluster.id);
  });

  describe("with a real BullMQ worker running the provisioner's check", () => {
    let worker: WorkerService;
    beforeAll(async () => {
      worker = await startWorkerService({
        name: "provisioner",
        config: app.config,
        logger: app.logger,
        handlers: {
          clusters: createClusterCheckJob({
            config: app.config,
            pool: app.db.pool,
            keyring: Keyring.fromConfig(app.config),
            logger: app.logger,
            timeoutMs: 2_000,
          }),
        },
        health: { host: "127.0.0.1", port: 0 },
      });
    });
    afterAll(() => worker.stop());

    it("stores and answers the check of an unreachable server", async () => {
      const port = await closedPort();
      const cluster = (await create({ kubeconfig: kubeconfig({ server: `https://127.0.0.1:${port}` }) })).body
        .cluster as { id: string };
      const res = await asAdmin("POST", `/api/admin/clusters/${cluster.id}/test`);
      expect(res.status).toBe(200);
      expect(res.body.check).toMatchObject({ reachable: false, ok: false, version: null });
      expect((res.body.check as { message: string }).message).toMatch(/cannot be reached \(ECONNREFUSED\)/);
      const read = await asAdmin("GET", `/api/admin/clusters/${cluster.id}`);
      expect(read.body.cluster).toMatchObject({ lastCheck: { reachable: false } });
      expect(app.logs.text).not.toContain(TOKEN);
    });

    it("stores a failed check, not a failed job, when the stored kubeconfig no longer opens", async () => {
      const cluster = (await create()).body.cluster as { id: string };
      // A ciphertext moved from another row does not open (the row id is bound in).
      const other = (await create()).body.cluster as { id: string };
      await app.db.pool.query(
        "UPDATE clusters SET kubeconfig_sealed = (SELECT kubeconfig_sealed FROM clusters WHERE id = $2) WHERE id = $1",
        [cluster.id, other.id],
      );
      const res = await asAdmin("POST", `/api/admin/clusters/${cluster.id}/test`);
      expect(res.status).toBe(200);
      expect(res.body.check).toMatchObject({ reachable: false, ok: false });
      expect((res.body.check as { message: string }).message).toMatch(/cannot be decrypted/);
    });
  });
});

describe("admin cluster routes with KUBERNETES_ALLOW_INSECURE_TLS", () => {
  it("accepts insecure-skip-tls-verify and shows a warning on the cluster", async () => {
    const app = await startTestApp({ env: { ...ENV, KUBERNETES_ALLOW_INSECURE_TLS: "true" } });
    try {
      const admin = await userWithSession(app, { role: "admin" });
      const res = await call(app, { cookie: admin.cookie }, "POST", "/api/admin/clusters", {
        name: "lab",
        namespace: "lab",
        kubeconfig: kubeconfig({ cluster: { "insecure-skip-tls-verify": true } }),
      });
      expect(res.status).toBe(201);
      const warnings = (res.body.cluster as { warnings: string[] }).warnings;
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/TLS verification is skipped/);
    } finally {
      await app.close();
    }
  });
});
