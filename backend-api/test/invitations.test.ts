import type { InvitationMail } from "@nora/domain/invitations/mailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

const tokenOf = (acceptUrl: string) => new URL(acceptUrl).hash.replace("#token=", "");

describe("invitations", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
  });
  afterAll(() => app.close());

  async function invite(role = "editor") {
    const owner = await userWithSession(app);
    const workspaceId = await createWorkspace(app, owner.cookie);
    const invitee = await userWithSession(app);
    const res = await call(
      app,
      { cookie: owner.cookie },
      "POST",
      `/api/workspaces/${workspaceId}/invitations`,
      {
        email: invitee.email.toUpperCase(),
        role,
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.delivery).toBe("link");
    return { owner, workspaceId, invitee, res, token: tokenOf(res.body.acceptUrl as string) };
  }

  it("shows the link once, stores only an HMAC, and adds the invitee on accept", async () => {
    const { owner, workspaceId, invitee, token } = await invite("editor");
    const list = await call(
      app,
      { cookie: owner.cookie },
      "GET",
      `/api/workspaces/${workspaceId}/invitations`,
    );
    expect(list.text).not.toContain(token);
    expect((list.body.invitations as Array<{ status: string }>)[0]?.status).toBe("pending");
    const { rows } = await app.db.pool.query("SELECT * FROM workspace_invitations");
    expect(JSON.stringify(rows)).not.toContain(token);

    const accepted = await call(app, { cookie: invitee.cookie }, "POST", "/api/invitations/accept", {
      token,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ workspaceId, role: "editor" });
    const members = await call(
      app,
      { cookie: invitee.cookie },
      "GET",
      `/api/workspaces/${workspaceId}/members`,
    );
    expect(
      (members.body.members as Array<{ email: string; role: string }>).find((m) => m.email === invitee.email)
        ?.role,
    ).toBe("editor");
  });

  it("is single use", async () => {
    const { invitee, token } = await invite();
    expect(
      (await call(app, { cookie: invitee.cookie }, "POST", "/api/invitations/accept", { token })).status,
    ).toBe(200);
    const again = await call(app, { cookie: invitee.cookie }, "POST", "/api/invitations/accept", { token });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_invitation");
  });

  it("expires", async () => {
    const { invitee, token } = await invite();
    await app.db.pool.query("UPDATE workspace_invitations SET expires_at = now() - interval '1 second'");
    expect(
      (await call(app, { cookie: invitee.cookie }, "POST", "/api/invitations/accept", { token })).status,
    ).toBe(400);
  });

  it("refuses a signed-in user with another email, and an anonymous caller", async () => {
    const { token, workspaceId } = await invite();
    const stranger = await userWithSession(app);
    const res = await call(app, { cookie: stranger.cookie }, "POST", "/api/invitations/accept", { token });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("invitation_email_mismatch");
    expect((await call(app, {}, "POST", "/api/invitations/accept", { token })).status).toBe(401);
    const { rows } = await app.db.pool.query(
      "SELECT count(*)::int AS n FROM workspace_members WHERE workspace_id = $1 AND user_id = $2",
      [workspaceId, stranger.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it("can be revoked", async () => {
    const { owner, workspaceId, invitee, token, res } = await invite();
    const id = (res.body.invitation as { id: string }).id;
    expect(
      (
        await call(
          app,
          { cookie: owner.cookie },
          "DELETE",
          `/api/workspaces/${workspaceId}/invitations/${id}`,
        )
      ).status,
    ).toBe(204);
    expect(
      (await call(app, { cookie: invitee.cookie }, "POST", "/api/invitations/accept", { token })).status,
    ).toBe(400);
  });

  it("refuses malformed tokens and owner invitations", async () => {
    const { owner, workspaceId, invitee } = await invite();
    expect(
      (await call(app, { cookie: invitee.cookie }, "POST", "/api/invitations/accept", { token: "x" })).status,
    ).toBe(400);
    const ownerInvite = await call(
      app,
      { cookie: owner.cookie },
      "POST",
      `/api/workspaces/${workspaceId}/invitations`,
      {
        email: "boss@example.org",
        role: "owner",
      },
    );
    expect(ownerInvite.status).toBe(400);
  });
});

describe("invitation email", () => {
  it("sends the accept link by email when a mailer is configured, and does not return it", async () => {
    const sent: InvitationMail[] = [];
    const app = await startTestApp({ env: NO_RATE_LIMITS });
    const { buildApp } = await import("../src/app.js");
    const { createServer } = await import("node:http");
    const express = buildApp({
      config: app.config,
      logger: app.logger,
      pool: app.db.pool,
      redis: app.redis,
      mailer: async (mail) => {
        sent.push(mail);
      },
    });
    const server = createServer(express);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const mailApp = { ...app, url: `http://127.0.0.1:${port}` };
    try {
      const owner = await userWithSession(mailApp);
      const workspaceId = await createWorkspace(mailApp, owner.cookie, "Mail Co");
      const res = await call(
        mailApp,
        { cookie: owner.cookie },
        "POST",
        `/api/workspaces/${workspaceId}/invitations`,
        {
          email: "someone@example.org",
          role: "viewer",
        },
      );
      expect(res.status).toBe(201);
      expect(res.body.delivery).toBe("email");
      expect(res.body.acceptUrl).toBeUndefined();
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        to: "someone@example.org",
        workspaceName: "Mail Co",
        inviterEmail: owner.email,
      });
      expect(sent[0]?.acceptUrl).toMatch(
        /^http:\/\/nora\.test\/app\/invitations\/accept#token=[A-Za-z0-9_-]{43}$/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await app.close();
    }
  });
});
