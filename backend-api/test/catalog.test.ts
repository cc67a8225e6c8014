import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createApiKey, createWorkspace, userWithSession } from "./identity.js";

/**
 * GET /api/catalog/runtimes: the catalog's maturity and this installation's availability. The k8s
 * states are set on the cluster row as the provisioner's check stores them (clusters.k8s.test.ts
 * runs the real check).
 */
describe("runtime catalog", () => {
  let app: TestApp;
  let user: { id: string; cookie: string };

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    user = await userWithSession(app);
  });
  afterAll(() => app.close());

  const catalog = async () => {
    const res = await call(app, { cookie: user.cookie }, "GET", "/api/catalog/runtimes");
    expect(res.status).toBe(200);
    return res.body as {
      targets: Array<{ name: string; maturity: string; available: boolean; reason: string | null }>;
      families: Array<{
        name: string;
        available: boolean;
        features: string[];
        webUi: string;
        minContextTokens: number | null;
      }>;
      profiles: Array<{ name: string; maturity: string; available: boolean; reason: string | null }>;
      combinations: Array<{ id: string; available: boolean; reason: string | null }>;
    };
  };
  const target = async (name: string) => (await catalog()).targets.find((t) => t.name === name);

  async function insertCluster(lastCheck: object | null) {
    await app.db.pool.query("DELETE FROM clusters");
    await app.db.pool.query(
      `INSERT INTO clusters (id, name, namespace, source, server_host, is_default, last_check, last_checked_at)
       VALUES ($1, 'prod', 'nora-agents', 'file', '127.0.0.1:6443', true, $2::jsonb, CASE WHEN $2::jsonb IS NULL THEN NULL ELSE now() END)`,
      [randomUUID(), lastCheck === null ? null : JSON.stringify(lastCheck)],
    );
  }

  it("lists families, targets and profiles with maturity; docker available, proxmox release-blocked", async () => {
    const body = await catalog();
    expect(body.families.map((f) => f.name)).toEqual(["openclaw", "hermes"]);
    expect(await target("docker")).toEqual({ name: "docker", maturity: "ga", available: true, reason: null });
    expect(await target("proxmox")).toMatchObject({
      maturity: "blocked",
      available: false,
      reason: "not released yet",
    });
    expect(body.profiles.find((p) => p.name === "nemoclaw")).toMatchObject({
      maturity: "experimental",
      available: false,
    });
  });

  it("tells each family's features apart, so a UI can hide what a family lacks", async () => {
    const families = (await catalog()).families;
    const openclaw = families.find((f) => f.name === "openclaw");
    const hermes = families.find((f) => f.name === "hermes");
    expect(openclaw).toMatchObject({ webUi: "gateway", minContextTokens: null });
    expect(openclaw?.features).not.toContain("dashboardLogs");
    expect(hermes).toMatchObject({ webUi: "dashboard", minContextTokens: 64000 });
    expect(hermes?.features).toEqual(
      expect.arrayContaining(["chat", "logs", "exec", "files", "dashboardLogs"]),
    );
  });

  it("k8s follows the cluster: none configured, never checked, last check failed, last check passed", async () => {
    await app.db.pool.query("DELETE FROM clusters");
    expect(await target("k8s")).toMatchObject({
      maturity: "ga",
      available: false,
      reason: "no Kubernetes cluster is configured",
    });
    await insertCluster(null);
    expect((await target("k8s"))?.reason).toBe('cluster "prod" was never checked');
    const failed = {
      reachable: false,
      version: null,
      namespaceExists: null,
      permissions: [],
      missing: [],
      ok: false,
      message: "the API server at https://127.0.0.1:6443 cannot be reached (ECONNREFUSED)",
    };
    await insertCluster(failed);
    expect((await target("k8s"))?.reason).toBe(
      'the last check of cluster "prod" failed: the API server at https://127.0.0.1:6443 cannot be reached (ECONNREFUSED)',
    );
    const k8sCombo = (await catalog()).combinations.find((c) => c.id === "openclaw/k8s/standard");
    expect(k8sCombo).toMatchObject({ available: false });
    await insertCluster({ ...failed, reachable: true, version: "v1.37.2", ok: true, message: "ok" });
    expect(await target("k8s")).toMatchObject({ available: true, reason: null });
    expect((await catalog()).combinations.find((c) => c.id === "openclaw/k8s/standard")).toMatchObject({
      available: true,
    });
  });

  it("deploying to k8s is refused with a clear 400 until a cluster's check passes", async () => {
    const ws = await createWorkspace(app, user.cookie, `ws ${randomUUID().slice(0, 6)}`);
    await app.db.pool.query("DELETE FROM clusters");
    const none = await call(app, { cookie: user.cookie }, "POST", `/api/workspaces/${ws}/agents`, {
      name: "k",
      target: "k8s",
    });
    expect(none).toMatchObject({ status: 400, body: { error: "no_cluster" } });
    expect(none.body.message).toMatch(/needs a Kubernetes cluster/);
    await insertCluster(null);
    const unchecked = await call(app, { cookie: user.cookie }, "POST", `/api/workspaces/${ws}/agents`, {
      name: "k",
      target: "k3s",
    });
    expect(unchecked).toMatchObject({ status: 400, body: { error: "cluster_unavailable" } });
    const unknown = await call(app, { cookie: user.cookie }, "POST", `/api/workspaces/${ws}/agents`, {
      name: "k",
      target: "k8s",
      clusterId: randomUUID(),
    });
    expect(unknown).toMatchObject({ status: 400, body: { error: "unknown_cluster" } });
    const agents = await app.db.pool.query("SELECT 1 FROM agents WHERE workspace_id = $1", [ws]);
    expect(agents.rows).toHaveLength(0);
  });

  it("answers any API key (no scope needed) and refuses anonymous callers", async () => {
    const ws = await createWorkspace(app, user.cookie, `keys ${randomUUID().slice(0, 6)}`);
    const { key } = await createApiKey(app, user.cookie, ws, ["monitoring:read"]);
    expect((await call(app, { apiKey: key }, "GET", "/api/catalog/runtimes")).status).toBe(200);
    const anon = await call(app, {}, "GET", "/api/catalog/runtimes");
    expect(anon.status).toBe(401);
    expect(anon.body.requestId).toBe(anon.headers.get("x-request-id"));
  });
});
