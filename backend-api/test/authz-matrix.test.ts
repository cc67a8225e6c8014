import { randomBytes, randomUUID } from "node:crypto";
import { ROUTES as CONTRACT_ROUTES, type RouteDefinition } from "@nora/api-contract";
import { Keyring } from "@nora/core";
import { generateApiKey, hashApiKey } from "@nora/domain/api-keys/key-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_ROUTES,
  ADMIN_ANSWERS,
  ADMIN_BODIES,
  ADMIN_PARAMS,
  ALL_SCOPES,
  CATALOG_ROUTES,
  CLUSTER_ROUTES,
  matrixKubeconfig,
  PERSONAS,
  type Persona,
  ROUTES,
  row,
  SESSION_ROUTES_ASSERTED_ELSEWHERE,
  STREAM_UPGRADES,
} from "./authz-matrix-rows.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { type Caller, call, userWithSession } from "./identity.js";
import { headersOf, isRefusal, openWs, startDoor } from "./ws-helpers.js";

/**
 * The authorization matrix: every workspace route against every kind of caller, asserted from one table.
 * Each cell runs on a fresh workspace (built in SQL), so destructive routes cannot leak into other cells.
 */
describe("authorization matrix", () => {
  let app: TestApp;
  const users: Record<string, { id: string; cookie: string; email: string }> = {};

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ...NO_RATE_LIMITS,
        // The dashboard rows judge who may reach an agent's web UI; off (the default), every allowed
        // caller would get the same 404 (gateway-proxy.test.ts covers that).
        GATEWAY_PROXY_WEB_UIS: "true",
        ENCRYPTION_KEY: "9c".repeat(16) + "4f1a".repeat(8),
        // Enables the GitHub link route; starting a link builds a URL and contacts nothing.
        GITHUB_CLIENT_ID: "matrix",
        GITHUB_CLIENT_SECRET: "matrix",
        GITHUB_OAUTH_URL: "http://127.0.0.1:9",
        GITHUB_API_URL: "http://127.0.0.1:9",
        // No provisioner runs here: a cluster test gives up quickly.
        CLUSTER_CHECK_WAIT_MS: "500",
      },
    });
    for (const name of ["viewer", "editor", "admin", "owner", "otherMember", "target"])
      users[name] = await userWithSession(app);
    users.platformAdmin = await userWithSession(app, { role: "admin" });
    // The other member's own workspace, holding a name no answer to them may ever contain.
    await app.db.pool.query(
      `WITH w AS (INSERT INTO workspaces (name) VALUES ('Other Workspace Secret Name') RETURNING id)
       INSERT INTO workspace_members (workspace_id, user_id, role) SELECT id, $1, 'owner' FROM w`,
      [users.otherMember?.id],
    );
  });
  afterAll(() => app.close());
  const keyring = () => Keyring.fromConfig(app.config);

  async function insertKey(
    workspaceId: string,
    scopes: string[],
    extra: { expired?: boolean; revoked?: boolean } = {},
  ) {
    const key = generateApiKey();
    const { rows } = await app.db.pool.query<{ id: string }>(
      `INSERT INTO api_keys (workspace_id, created_by, description, prefix, key_hash, scopes, expires_at, revoked_at)
       VALUES ($1, $2, 'matrix', $3, $4, $5, $6, $7) RETURNING id`,
      [
        workspaceId,
        users.owner?.id,
        key.slice(0, 11),
        hashApiKey(key, app.config.identity.apiKeyHashKey),
        scopes,
        extra.expired ? new Date(Date.now() - 1000) : null,
        extra.revoked ? new Date() : null,
      ],
    );
    return { key, id: rows[0]?.id as string };
  }

  /** A workspace with one member per role, a target member, keys of every kind, and a pending invitation. */
  /** Every persona's credentials against one workspace (its all-scope and no-scope keys unless given). */
  function callersOf(
    ws: Awaited<ReturnType<typeof freshWorkspace>>,
    keys: { scoped?: string; unscoped?: string } = {},
  ): Record<Persona, Caller> {
    const cookie = (persona: string) => ({ cookie: users[persona]?.cookie as string });
    return {
      anonymous: {},
      viewer: cookie("viewer"),
      editor: cookie("editor"),
      admin: cookie("admin"),
      owner: cookie("owner"),
      otherMember: cookie("otherMember"),
      platformAdmin: cookie("platformAdmin"),
      keyWithScope: { apiKey: keys.scoped ?? ws.allKey.key },
      keyWithoutScope: { apiKey: keys.unscoped ?? ws.noScopeKey.key },
      expiredKey: { apiKey: ws.expiredKey.key },
      revokedKey: { apiKey: ws.revokedKey.key },
    };
  }

  async function freshWorkspace(name = `Matrix ${randomUUID().slice(0, 6)}`) {
    const { rows } = await app.db.pool.query<{ id: string }>(
      "INSERT INTO workspaces (name) VALUES ($1) RETURNING id",
      [name],
    );
    const workspaceId = rows[0]?.id as string;
    for (const role of ["viewer", "editor", "admin", "owner"]) {
      await app.db.pool.query(
        "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, $3)",
        [workspaceId, users[role]?.id, role],
      );
    }
    await app.db.pool.query(
      "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, 'viewer')",
      [workspaceId, users.target?.id],
    );
    const inv = await app.db.pool.query<{ id: string }>(
      `INSERT INTO workspace_invitations (workspace_id, email, role, token_hash, expires_at)
       VALUES ($1, 'invitee@example.org', 'viewer', $2, now() + interval '1 day') RETURNING id`,
      [workspaceId, randomBytes(32)],
    );
    const agent = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name) VALUES ($1, 'matrix agent') RETURNING id",
      [workspaceId],
    );
    const agentId = agent.rows[0]?.id as string;
    const revision = await app.db.pool.query<{ id: string }>(
      `INSERT INTO agent_revisions (agent_id, number, runtime_family, deploy_target, sandbox_profile, image,
         vcpu, memory_mb, disk_gb)
       VALUES ($1, 1, 'openclaw', 'docker', 'standard', 'nora-runtime-openclaw:latest', 1.5, 2048, 10)
       RETURNING id`,
      [agentId],
    );
    await app.db.pool.query("UPDATE agents SET current_revision_id = $2 WHERE id = $1", [
      agentId,
      revision.rows[0]?.id,
    ]);
    const overrideId = randomUUID();
    await app.db.pool.query(
      "INSERT INTO agent_secret_overrides (id, agent_id, name, value_sealed, value_hint) VALUES ($1, $2, 'EXISTING_TOKEN', $3, '')",
      [
        overrideId,
        agentId,
        keyring().seal("existing", {
          table: "agent_secret_overrides",
          column: "value_sealed",
          rowId: overrideId,
        }),
      ],
    );
    const providerId = randomUUID();
    await app.db.pool.query(
      `INSERT INTO llm_providers (id, workspace_id, kind, name, base_url, is_default)
       VALUES ($1, $2, 'openai_compatible', 'matrix provider', 'http://127.0.0.1:9/v1', true)`,
      [providerId, workspaceId],
    );
    const integrationId = randomUUID();
    const channelId = randomUUID();
    for (const [table, id] of [
      ["integrations", integrationId],
      ["channels", channelId],
    ] as const) {
      await app.db.pool.query(
        `INSERT INTO ${table} (id, workspace_id, kind, name, config) VALUES ($1, $2, 'webhook', 'matrix hook', $3)`,
        [id, workspaceId, JSON.stringify({ url: "http://127.0.0.1:9/hook" })],
      );
    }
    return {
      workspaceId,
      agentId,
      providerId,
      integrationId,
      channelId,
      invitationId: inv.rows[0]?.id as string,
      targetKey: await insertKey(workspaceId, ["agents:read"]),
      readKey: await insertKey(workspaceId, ["workspaces:read"]),
      allKey: await insertKey(workspaceId, ALL_SCOPES),
      // A scope no route in this table needs.
      noScopeKey: await insertKey(workspaceId, ["monitoring:read"]),
      expiredKey: await insertKey(workspaceId, ALL_SCOPES, { expired: true }),
      revokedKey: await insertKey(workspaceId, ALL_SCOPES, { revoked: true }),
      name,
    };
  }

  /** A stream's status (and, for refusals, its body); a 200 stream is aborted once its headers arrive. */
  async function streamStatus(caller: Caller, path: string) {
    const headers: Record<string, string> = {};
    if (caller.cookie) headers.cookie = caller.cookie;
    if (caller.apiKey) headers.authorization = `Bearer ${caller.apiKey}`;
    const abort = new AbortController();
    const res = await fetch(app.url + path, { headers, signal: abort.signal });
    if (res.status === 200) {
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      abort.abort();
      return { status: 200, body: {} as Record<string, unknown>, headers: res.headers, text: "" };
    }
    const text = await res.text();
    return {
      status: res.status,
      body: JSON.parse(text) as Record<string, unknown>,
      headers: res.headers,
      text,
    };
  }

  const cells = ROUTES.flatMap((route) =>
    PERSONAS.map((persona) => [`${route.method} ${route.path}`, persona, route] as const),
  );

  it.each(cells)("%s as %s", async (_label, persona, route) => {
    const ws = await freshWorkspace();
    const path = route.path
      .replace(":id", ws.workspaceId)
      .replace(":target", users.target?.id as string)
      .replace(":key", ws.targetKey.id)
      .replace(":invitation", ws.invitationId)
      .replace(":agent", ws.agentId)
      .replace(":newSecret", "FRESH_TOKEN")
      .replace(":existingSecret", "EXISTING_TOKEN")
      .replace(":provider", ws.providerId)
      .replace(":integration", ws.integrationId)
      .replace(":channel", ws.channelId)
      .replace(":chatSession", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
      .replace("{/*path}", "/v1/models");
    const scopedKey = route.scope ? (await insertKey(ws.workspaceId, [route.scope])).key : ws.allKey.key;
    // A key holding some other scope than the route's (every scope is some route's now).
    const unneeded = ALL_SCOPES.find((s) => s !== route.scope) as string;
    const unscopedKey = (await insertKey(ws.workspaceId, [unneeded])).key;
    const callers = callersOf(ws, { scoped: scopedKey, unscoped: unscopedKey });
    const res = route.stream
      ? await streamStatus(callers[persona], path)
      : await call(app, callers[persona], route.method, path + (route.query ?? ""), route.body);
    expect(res.status).toBe(route.expect[persona]);
    if (res.status >= 400) {
      expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
      expect(res.text).not.toContain(ws.name);
      expect(res.text).not.toContain("Other Workspace Secret Name");
    }
  });

  const upgradeCells = STREAM_UPGRADES.flatMap((route) =>
    PERSONAS.map((persona) => [`${route.method} ${route.path}`, persona, route] as const),
  );

  it.each(upgradeCells)("upgrade %s as %s", async (_label, persona, route) => {
    const door = await startDoor(app);
    try {
      const ws = await freshWorkspace();
      const scopedKey = (await insertKey(ws.workspaceId, [route.scope as string])).key;
      const unscopedKey = (await insertKey(ws.workspaceId, ["workspaces:read"])).key;
      const callers = callersOf(ws, { scoped: scopedKey, unscoped: unscopedKey });
      const result = await openWs(
        door.url + route.path.replace(":agent", ws.agentId),
        headersOf(callers[persona]),
      );
      if (!isRefusal(result)) {
        result.ws.terminate();
        throw new Error("the upgrade was accepted");
      }
      expect(result.status).toBe(route.expect[persona]);
      expect(result.body.requestId).toBe(result.headers["x-request-id"]);
      expect(JSON.stringify(result.body)).not.toContain(ws.name);
      expect(JSON.stringify(result.body)).not.toContain("Other Workspace Secret Name");
    } finally {
      await door.close();
    }
  });

  it("has an upgrade row for every stream the door serves", async () => {
    const door = await startDoor(app);
    await door.close();
    const normalize = (path: string) => path.replace(/:[A-Za-z]+/g, ":param");
    expect(door.door.routes.map((r) => normalize(`${r.method} ${r.path}`)).sort()).toEqual(
      STREAM_UPGRADES.map((r) => normalize(`${r.method} ${r.path}`)).sort(),
    );
  });

  const accountCells = ACCOUNT_ROUTES.flatMap((route) =>
    PERSONAS.map((persona) => [`${route.method} ${route.path}`, persona, route] as const),
  );

  it.each(accountCells)("%s as %s", async (_label, persona, route) => {
    const ws = await freshWorkspace();
    const identity = await app.db.pool.query<{ id: string }>(
      "INSERT INTO user_identities (user_id, provider, subject) VALUES ($1, 'github', $2) RETURNING id",
      [users.target?.id, randomUUID()],
    );
    const path = route.path.replace(":identity", identity.rows[0]?.id as string);
    const callers = callersOf(ws);
    const res = await call(app, callers[persona], route.method, path, route.body);
    expect(res.status).toBe(route.expect[persona]);
    if (res.status >= 400) expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    const { rows } = await app.db.pool.query("SELECT 1 FROM user_identities WHERE id = $1", [
      identity.rows[0]?.id,
    ]);
    expect(rows).toHaveLength(1);
  });

  const clusterCells = [...CLUSTER_ROUTES, ...CATALOG_ROUTES].flatMap((route) =>
    PERSONAS.map((persona) => [`${route.method} ${route.path}`, persona, route] as const),
  );

  it.each(clusterCells)("%s as %s", async (_label, persona, route) => {
    const ws = await freshWorkspace();
    const clusterId = randomUUID();
    await app.db.pool.query(
      `INSERT INTO clusters (id, name, namespace, source, kubeconfig_sealed, server_host)
       VALUES ($1, $2, 'nora-agents', 'api', $3, '127.0.0.1:6443')`,
      [
        clusterId,
        `matrix ${clusterId}`,
        keyring().seal(matrixKubeconfig(), {
          table: "clusters",
          column: "kubeconfig_sealed",
          rowId: clusterId,
        }),
      ],
    );
    const body =
      route.method === "POST" && route.path === "/api/admin/clusters"
        ? { ...(route.body as object), name: `new ${randomUUID()}` }
        : route.body;
    const callers = callersOf(ws);
    const before = await app.db.pool.query("SELECT count(*)::int AS n FROM clusters");
    const res = await call(
      app,
      callers[persona],
      route.method,
      route.path.replace(":cluster", clusterId),
      body,
    );
    expect(res.status).toBe(route.expect[persona]);
    expect(res.text).not.toContain("matrix-kube-token");
    if (res.status >= 400) {
      expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
      if (res.status !== 503) {
        const after = await app.db.pool.query("SELECT count(*)::int AS n FROM clusters");
        expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
      }
    }
  });

  it("covers every workspace route of the contract (which the app mounts exactly)", () => {
    const routes = CONTRACT_ROUTES.filter(
      (r) => r.requirement.kind === "workspace" || r.requirement.kind === "agent",
    ).map((r) => `${r.method} ${r.path}`);
    const normalize = (path: string) => path.replace(/:[A-Za-z]+/g, ":param");
    expect(routes.map(normalize).sort()).toEqual(
      ROUTES.map((r) => normalize(`${r.method} ${r.path}`)).sort(),
    );
  });

  it("lists only the caller's own workspaces", async () => {
    const mine = await call(app, { cookie: users.viewer?.cookie as string }, "GET", "/api/workspaces");
    const ids = (mine.body.workspaces as Array<{ id: string; role: string }>).map((w) => w.role);
    expect(ids.every((r) => r === "viewer")).toBe(true);
    const other = await call(app, { cookie: users.otherMember?.cookie as string }, "GET", "/api/workspaces");
    expect((other.body.workspaces as Array<{ name: string }>).map((w) => w.name)).toEqual([
      "Other Workspace Secret Name",
    ]);
    expect((await call(app, {}, "GET", "/api/workspaces")).status).toBe(401);
    const ws = await freshWorkspace();
    expect((await call(app, { apiKey: ws.allKey.key }, "GET", "/api/workspaces")).status).toBe(403);
    expect(
      (await call(app, { apiKey: ws.allKey.key }, "POST", "/api/workspaces", { name: "k" })).status,
    ).toBe(403);
  });

  it("answers 404 for malformed and unknown workspace ids alike", async () => {
    for (const id of [randomUUID(), "not-a-uuid", "1%20OR%201=1"]) {
      const res = await call(app, { cookie: users.owner?.cookie as string }, "GET", `/api/workspaces/${id}`);
      expect(res.status).toBe(404);
    }
  });

  it.each([
    ["GET", "/api/admin/agents"],
    ["GET", "/api/admin/settings"],
    ["PUT", "/api/admin/settings"],
  ])("%s %s answers a platform admin only, whatever else the caller is", async (method, path) => {
    const ws = await freshWorkspace();
    const body = method === "GET" ? undefined : ADMIN_BODIES[`${method} ${path}`];
    //                           anon viewer editor admin owner other padmin key+  key-  expired revoked
    const expected = row([401, 403, 403, 403, 403, 403, 200, 403, 403, 401, 401]);
    const callers = callersOf(ws);
    for (const persona of PERSONAS) {
      const res = await call(app, callers[persona], method, path, body);
      expect(res.status, persona).toBe(expected[persona]);
      if (res.status >= 400) expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    }
  });

  it("has a row for every route of the contract", () => {
    const matches = (route: RouteDefinition, method: string, path: string) =>
      route.method === method &&
      new RegExp(`^${route.path.replace(/:[A-Za-z]+/g, "[^/]+").replace("{/*path}", "(?:/.*)?")}$`).test(
        path.replace("{/*path}", ""),
      );
    const rowless = CONTRACT_ROUTES.filter(
      (route) =>
        !route.path.startsWith("/api/admin/") &&
        !SESSION_ROUTES_ASSERTED_ELSEWHERE.includes(`${route.method} ${route.path}`) &&
        ![...ROUTES, ...ACCOUNT_ROUTES, ...CATALOG_ROUTES].some((r) => matches(route, r.method, r.path)),
    ).map((r) => `${r.method} ${r.path} (${r.requirement.kind})`);
    expect(rowless).toEqual([]);
  });

  it("refuses every /api/admin route to anyone but a platform admin", async () => {
    const adminRoutes = CONTRACT_ROUTES.filter((r) => r.path.startsWith("/api/admin/"));
    expect(adminRoutes.length).toBeGreaterThanOrEqual(3);
    const ws = await freshWorkspace();
    for (const r of adminRoutes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, (_m, name: string) =>
        name === "userId" ? (users.target?.id as string) : (ADMIN_PARAMS[name] as string),
      );
      const body =
        r.method === "GET" ? undefined : (ADMIN_BODIES[`${r.method} ${r.path}`] ?? { disabled: false });
      expect((await call(app, {}, r.method, path, body)).status, `anon ${r.method} ${path}`).toBe(401);
      for (const who of ["viewer", "owner", "otherMember"]) {
        expect((await call(app, { cookie: users[who]?.cookie as string }, r.method, path, body)).status).toBe(
          403,
        );
      }
      expect((await call(app, { apiKey: ws.allKey.key }, r.method, path, body)).status).toBe(403);
      const asAdmin = await call(
        app,
        { cookie: users.platformAdmin?.cookie as string },
        r.method,
        path,
        body,
      );
      const answer = ADMIN_ANSWERS[`${r.method} ${r.path}`];
      expect(answer ? [answer] : [200, 202], `admin ${r.method} ${path}`).toContain(asAdmin.status);
    }
  });
});
