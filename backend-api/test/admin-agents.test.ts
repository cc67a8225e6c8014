import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

describe("GET /api/admin/agents: the fleet across workspaces", () => {
  let app: TestApp;
  let admin: { id: string; cookie: string };
  let acme: string;
  let globex: string;
  const ids: Record<string, string> = {};

  const asAdmin = (path: string) => call(app, { cookie: admin.cookie }, "GET", path);

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    admin = await userWithSession(app, { role: "admin" });
    acme = await createWorkspace(app, admin.cookie, "Acme");
    globex = await createWorkspace(app, admin.cookie, "Globex");
    for (const [ws, name] of [
      [acme, "acme-alpha"],
      [acme, "acme-beta"],
      [globex, "globex-alpha"],
    ] as const) {
      const res = await call(app, { cookie: admin.cookie }, "POST", `/api/workspaces/${ws}/agents`, { name });
      expect(res.status).toBe(202);
      ids[name] = (res.body as { agent: { id: string } }).agent.id;
    }
    // One stopped agent, so the status filter has something to tell apart.
    await app.db.pool.query("UPDATE agents SET status = 'stopped' WHERE id = $1", [ids["acme-beta"]]);
  });
  afterAll(async () => {
    await app.close();
  });

  it("lists every workspace's agents newest first, each with its workspace's name", async () => {
    const res = await asAdmin("/api/admin/agents");
    expect(res.status).toBe(200);
    const agents = res.body.agents as Array<{ id: string; name: string; workspaceName: string }>;
    expect(agents.map((a) => [a.name, a.workspaceName])).toEqual([
      ["globex-alpha", "Globex"],
      ["acme-beta", "Acme"],
      ["acme-alpha", "Acme"],
    ]);
    expect(res.body.nextCursor).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toMatch(/token|runtimeUrl|currentRevisionId/i);
  });

  it("filters by workspace, status, family, target and name", async () => {
    const names = async (query: string) =>
      ((await asAdmin(`/api/admin/agents?${query}`)).body.agents as Array<{ name: string }>).map(
        (a) => a.name,
      );
    expect(await names(`workspaceId=${globex}`)).toEqual(["globex-alpha"]);
    expect(await names("status=stopped")).toEqual(["acme-beta"]);
    expect(await names("q=ALPHA")).toEqual(["globex-alpha", "acme-alpha"]);
    expect(await names(`q=alpha&workspaceId=${acme}`)).toEqual(["acme-alpha"]);
    expect(await names("family=openclaw&target=docker")).toHaveLength(3);
    expect(await names("target=k3s")).toEqual([]);
    expect(await names(`workspaceId=${randomUUID()}`)).toEqual([]);
  });

  it("pages by cursor", async () => {
    const first = await asAdmin("/api/admin/agents?limit=2");
    expect((first.body.agents as unknown[]).length).toBe(2);
    expect(first.body.nextCursor).toBe(ids["acme-beta"]);
    const second = await asAdmin(`/api/admin/agents?limit=2&cursor=${first.body.nextCursor}`);
    expect((second.body.agents as Array<{ id: string }>).map((a) => a.id)).toEqual([ids["acme-alpha"]]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it("refuses bad input with a 400 carrying the request id", async () => {
    for (const query of [
      "limit=0",
      "limit=101",
      "status=sleeping",
      "workspaceId=nope",
      "cursor=1",
      "extra=1",
    ]) {
      const res = await asAdmin(`/api/admin/agents?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    }
  });

  it("answers platform admins only", async () => {
    const user = await userWithSession(app);
    const workspace = await createWorkspace(app, user.cookie, "Own");
    expect(workspace).toBeTruthy();
    expect((await call(app, { cookie: user.cookie }, "GET", "/api/admin/agents")).status).toBe(403);
    expect((await call(app, {}, "GET", "/api/admin/agents")).status).toBe(401);
  });
});
