import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createWorkspace, userWithSession } from "./identity.js";

/**
 * An admin revokes an invitation while the owner demotes or removes that admin. The test holds the
 * invitation's row lock so the revocation is admitted (the caller is still admin) and then held up inside
 * its transaction; the owner's change is sent meanwhile. Serial orders allow two outcomes: the revocation
 * first (it then holds the member locks, and the owner's change waits for it), or the owner's change first
 * (the revocation, judged by the role at the moment it is made, is refused). What no serial order
 * produces: the owner's change answered while the revocation was held up, and the revocation then succeeding.
 */
describe("revoking an invitation while being demoted or removed keeps a serial outcome", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
  });
  afterAll(() => app.close());

  const lockWaiters = async () => {
    const { rows } = await app.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows[0]?.n ?? 0;
  };
  const until = async (done: () => Promise<boolean>) => {
    const deadline = Date.now() + 5_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the database");
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it.each([
    { change: "demoted", method: "PATCH", body: { role: "editor" } },
    { change: "removed", method: "DELETE", body: undefined },
  ])("an admin being $change", async ({ method, body }) => {
    const owner = await userWithSession(app);
    const admin = await userWithSession(app);
    const ws = await createWorkspace(app, owner.cookie);
    await addMember(app, ws, admin.id, "admin");
    const created = await call(app, { cookie: admin.cookie }, "POST", `/api/workspaces/${ws}/invitations`, {
      email: "invitee@example.org",
      role: "viewer",
    });
    expect(created.status).toBe(201);
    const invitationId = (created.body.invitation as { id: string }).id;

    const holder = await app.db.pool.connect();
    let revokeStatus: number;
    let changeAnsweredWhileHeld: boolean;
    let changeStatus: number;
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM workspace_invitations WHERE id = $1 FOR UPDATE", [invitationId]);
      const revoke = call(
        app,
        { cookie: admin.cookie },
        "DELETE",
        `/api/workspaces/${ws}/invitations/${invitationId}`,
      );
      await until(async () => (await lockWaiters()) >= 1);
      let changeDone = false;
      const change = call(
        app,
        { cookie: owner.cookie },
        method,
        `/api/workspaces/${ws}/members/${admin.id}`,
        body,
      ).finally(() => {
        changeDone = true;
      });
      // Either the owner's change completes, or it queues behind the revocation's member locks.
      await until(async () => changeDone || (await lockWaiters()) >= 2);
      changeAnsweredWhileHeld = changeDone;
      await holder.query("COMMIT");
      const [revoked, changed] = await Promise.all([revoke, change]);
      revokeStatus = revoked.status;
      changeStatus = changed.status;
    } finally {
      holder.release();
    }

    expect(revokeStatus).toBeLessThan(500);
    expect(changeStatus).toBe(204);
    const { rows } = await app.db.pool.query<{ revoked: boolean }>(
      "SELECT revoked_at IS NOT NULL AS revoked FROM workspace_invitations WHERE id = $1",
      [invitationId],
    );
    const revoked = rows[0]?.revoked;
    expect(revoked).toBe(revokeStatus === 204);
    if (changeAnsweredWhileHeld) {
      // The owner's change came first: the revocation must be judged by the new role.
      expect(revokeStatus).not.toBe(204);
      expect(revoked).toBe(false);
    } else {
      expect(revokeStatus).toBe(204);
    }
  });
});
