import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createWorkspace, userWithSession } from "./identity.js";

describe("workspaces and members", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
  });
  afterAll(() => app.close());

  it("makes the creator owner and audits creation", async () => {
    const owner = await userWithSession(app);
    const created = await call(app, { cookie: owner.cookie }, "POST", "/api/workspaces", { name: "  Lab  " });
    expect(created.status).toBe(201);
    expect(created.body.workspace).toMatchObject({ name: "Lab", role: "owner" });
    const id = (created.body.workspace as { id: string }).id;
    const audit = await call(app, { cookie: owner.cookie }, "GET", `/api/workspaces/${id}/audit`);
    expect((audit.body.records as Array<{ action: string; requestId: string }>)[0]).toMatchObject({
      action: "workspace.created",
      requestId: created.headers.get("x-request-id"),
    });
  });

  it("validates names", async () => {
    const owner = await userWithSession(app);
    for (const body of [{ name: "" }, { name: "x".repeat(101) }, {}, { name: 5 }]) {
      expect((await call(app, { cookie: owner.cookie }, "POST", "/api/workspaces", body)).status).toBe(400);
    }
  });

  it("never lets the last owner be demoted or removed, even by themselves", async () => {
    const owner = await userWithSession(app);
    const id = await createWorkspace(app, owner.cookie);
    const demote = await call(
      app,
      { cookie: owner.cookie },
      "PATCH",
      `/api/workspaces/${id}/members/${owner.id}`,
      {
        role: "admin",
      },
    );
    expect(demote.status).toBe(409);
    expect(demote.body.error).toBe("last_owner");
    expect(
      (await call(app, { cookie: owner.cookie }, "DELETE", `/api/workspaces/${id}/members/${owner.id}`))
        .status,
    ).toBe(409);

    // With a second owner, one may step down.
    const second = await userWithSession(app);
    await addMember(app, id, second.id, "owner");
    expect(
      (
        await call(app, { cookie: owner.cookie }, "PATCH", `/api/workspaces/${id}/members/${owner.id}`, {
          role: "admin",
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(app, { cookie: second.cookie }, "PATCH", `/api/workspaces/${id}/members/${second.id}`, {
          role: "editor",
        })
      ).status,
    ).toBe(409);
  });

  it("keeps ownership changes to owners: an admin cannot grant, take or remove ownership", async () => {
    const owner = await userWithSession(app);
    const id = await createWorkspace(app, owner.cookie);
    const admin = await userWithSession(app);
    const viewer = await userWithSession(app);
    await addMember(app, id, admin.id, "admin");
    await addMember(app, id, viewer.id, "viewer");
    const as = (cookie: string, method: string, userId: string, body?: unknown) =>
      call(app, { cookie }, method, `/api/workspaces/${id}/members/${userId}`, body);
    expect((await as(admin.cookie, "PATCH", viewer.id, { role: "owner" })).status).toBe(403);
    expect((await as(admin.cookie, "PATCH", admin.id, { role: "owner" })).status).toBe(403);
    expect((await as(admin.cookie, "PATCH", owner.id, { role: "viewer" })).status).toBe(403);
    expect((await as(admin.cookie, "DELETE", owner.id)).status).toBe(403);
    expect((await as(admin.cookie, "PATCH", viewer.id, { role: "editor" })).status).toBe(204);
    expect((await as(owner.cookie, "PATCH", viewer.id, { role: "owner" })).status).toBe(204);
  });

  it("lets any member leave, and then hides the workspace from them", async () => {
    const owner = await userWithSession(app);
    const id = await createWorkspace(app, owner.cookie);
    const viewer = await userWithSession(app);
    await addMember(app, id, viewer.id, "viewer");
    expect(
      (await call(app, { cookie: viewer.cookie }, "DELETE", `/api/workspaces/${id}/members/${viewer.id}`))
        .status,
    ).toBe(204);
    expect((await call(app, { cookie: viewer.cookie }, "GET", `/api/workspaces/${id}`)).status).toBe(404);
    const { rows } = await app.db.pool.query(
      "SELECT action FROM audit_log WHERE workspace_id = $1 ORDER BY id DESC LIMIT 1",
      [id],
    );
    expect(rows[0].action).toBe("workspace.member.left");
  });

  it("a demoted member loses rights on the very next request", async () => {
    const owner = await userWithSession(app);
    const id = await createWorkspace(app, owner.cookie);
    const admin = await userWithSession(app);
    await addMember(app, id, admin.id, "admin");
    expect((await call(app, { cookie: admin.cookie }, "GET", `/api/workspaces/${id}/api-keys`)).status).toBe(
      200,
    );
    await call(app, { cookie: owner.cookie }, "PATCH", `/api/workspaces/${id}/members/${admin.id}`, {
      role: "viewer",
    });
    expect((await call(app, { cookie: admin.cookie }, "GET", `/api/workspaces/${id}/api-keys`)).status).toBe(
      403,
    );
  });

  it("deleting a workspace removes its members, keys and invitations but keeps its audit trail", async () => {
    const owner = await userWithSession(app);
    const id = await createWorkspace(app, owner.cookie);
    await call(app, { cookie: owner.cookie }, "POST", `/api/workspaces/${id}/api-keys`, {
      description: "k",
      scopes: ["agents:read"],
    });
    expect((await call(app, { cookie: owner.cookie }, "DELETE", `/api/workspaces/${id}`)).status).toBe(204);
    for (const table of ["workspace_members", "api_keys", "workspace_invitations"]) {
      const { rows } = await app.db.pool.query(
        `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1`,
        [id],
      );
      expect(rows[0].n, table).toBe(0);
    }
    const audit = await app.db.pool.query(
      "SELECT action FROM audit_log WHERE workspace_id = $1 ORDER BY id",
      [id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      "workspace.created",
      "api_key.created",
      "workspace.deleted",
    ]);
  });
});

describe("admin audit", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
  });
  afterAll(() => app.close());

  it("filters, paginates and exports CSV with formula cells neutralised", async () => {
    const admin = await userWithSession(app, { role: "admin" });
    const owner = await userWithSession(app);
    const id = await createWorkspace(app, owner.cookie, '=HYPERLINK("http://evil")');
    for (let i = 0; i < 3; i++) {
      await call(app, { cookie: owner.cookie }, "PATCH", `/api/workspaces/${id}`, { name: `Name ${i}` });
    }
    const page1 = await call(
      app,
      { cookie: admin.cookie },
      "GET",
      `/api/admin/audit?workspaceId=${id}&limit=2`,
    );
    const records1 = page1.body.records as Array<{ id: string; action: string }>;
    expect(records1.map((r) => r.action)).toEqual(["workspace.renamed", "workspace.renamed"]);
    const page2 = await call(
      app,
      { cookie: admin.cookie },
      "GET",
      `/api/admin/audit?workspaceId=${id}&limit=2&before=${page1.body.nextBefore}`,
    );
    expect((page2.body.records as Array<{ action: string }>).map((r) => r.action)).toEqual([
      "workspace.renamed",
      "workspace.created",
    ]);

    const byAction = await call(
      app,
      { cookie: admin.cookie },
      "GET",
      `/api/admin/audit?action=workspace&actorUserId=${owner.id}`,
    );
    expect((byAction.body.records as unknown[]).length).toBe(4);

    const csv = await call(
      app,
      { cookie: admin.cookie },
      "GET",
      `/api/admin/audit?workspaceId=${id}&format=csv`,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,occurred_at,actor_type/);
    expect(lines).toHaveLength(5);
    // The hostile name only ever appears inside the quoted JSON metadata cell.
    expect(csv.text).not.toMatch(/,=HYPERLINK/);

    expect((await call(app, { cookie: admin.cookie }, "GET", "/api/admin/audit?limit=0")).status).toBe(400);
    expect(
      (await call(app, { cookie: admin.cookie }, "GET", "/api/admin/audit?workspaceId=nope")).status,
    ).toBe(400);
  });

  it("keeps one active platform admin", async () => {
    const solo = await startTestApp({ env: NO_RATE_LIMITS });
    try {
      const admin = await userWithSession(solo, { role: "admin" });
      const res = await call(solo, { cookie: admin.cookie }, "PATCH", `/api/admin/users/${admin.id}`, {
        role: "user",
      });
      expect(res.status).toBe(409);
      expect(
        (
          await call(solo, { cookie: admin.cookie }, "PATCH", `/api/admin/users/${admin.id}`, {
            disabled: true,
          })
        ).status,
      ).toBe(409);
      const users = await call(solo, { cookie: admin.cookie }, "GET", "/api/admin/users");
      expect(JSON.stringify(users.body)).not.toMatch(/password/i);
    } finally {
      await solo.close();
    }
  });
});
