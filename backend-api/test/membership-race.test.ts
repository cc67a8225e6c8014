import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";

const TRIALS = 40;

/**
 * Membership changes that depend on the caller's own role, sent at the same moment in pairs that each
 * invalidate the other. Whatever the interleaving, the final state (and each answer) must be one that some
 * serial order of the two requests produces: the caller's role is read inside the changing transaction.
 * Answers are never 5xx; a clean 409 (a concurrent change) counts as the request not having happened.
 */
describe("concurrent membership changes keep an outcome a serial order could produce", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS });
  });
  afterAll(() => app.close());

  type User = Awaited<ReturnType<typeof userWithSession>>;
  const users: User[] = [];
  const user = async (i: number) => {
    users[i] ??= await userWithSession(app);
    return users[i] as User;
  };

  const roles = async (workspaceId: string) => {
    const { rows } = await app.db.pool.query<{ user_id: string; role: string }>(
      "SELECT user_id, role FROM workspace_members WHERE workspace_id = $1",
      [workspaceId],
    );
    return new Map(rows.map((r) => [r.user_id, r.role]));
  };
  const member = (wsId: string, userId: string) => `/api/workspaces/${wsId}/members/${userId}`;
  const settle = (answers: number[]) => {
    for (const s of answers) expect(s).toBeLessThan(500);
    return answers.map((s) => s === 204 || s === 201);
  };

  async function trials(run: (trial: number) => Promise<void>) {
    for (let t = 0; t < TRIALS; t++) await run(t);
  }

  it.each([
    { owners: 2, label: "the only two owners" },
    { owners: 3, label: "two of three owners" },
  ])("$label demoting each other: exactly one wins, never both, never zero owners", async ({ owners }) => {
    const [a, b, c] = [await user(0), await user(1), await user(2)];
    const outcomes = { aWon: 0, bWon: 0, neither: 0 };
    await trials(async () => {
      const ws = await createWorkspace(app, a.cookie);
      await addMember(app, ws, b.id, "owner");
      if (owners === 3) await addMember(app, ws, c.id, "owner");
      const [aDemotesB, bDemotesA] = settle(
        (
          await Promise.all([
            call(app, { cookie: a.cookie }, "PATCH", member(ws, b.id), { role: "admin" }),
            call(app, { cookie: b.cookie }, "PATCH", member(ws, a.id), { role: "admin" }),
          ])
        ).map((r) => r.status),
      );
      const final = await roles(ws);
      expect([...final.values()].filter((r) => r === "owner").length).toBeGreaterThan(0);
      // Serially, whoever goes second is no longer an owner and is refused: both winning is impossible.
      expect(aDemotesB && bDemotesA).toBe(false);
      expect(final.get(b.id)).toBe(aDemotesB ? "admin" : "owner");
      expect(final.get(a.id)).toBe(bDemotesA ? "admin" : "owner");
      if (aDemotesB) outcomes.aWon++;
      else if (bDemotesA) outcomes.bWon++;
      else outcomes.neither++;
    });
    expect(outcomes.aWon + outcomes.bWon).toBeGreaterThan(0);
  });

  it("two admins removing each other: exactly one is removed", async () => {
    const [owner, x, y] = [await user(0), await user(1), await user(2)];
    await trials(async () => {
      const ws = await createWorkspace(app, owner.cookie);
      await addMember(app, ws, x.id, "admin");
      await addMember(app, ws, y.id, "admin");
      const [xRemovesY, yRemovesX] = settle(
        (
          await Promise.all([
            call(app, { cookie: x.cookie }, "DELETE", member(ws, y.id)),
            call(app, { cookie: y.cookie }, "DELETE", member(ws, x.id)),
          ])
        ).map((r) => r.status),
      );
      // Serially, the second caller is no longer a member and cannot remove anyone.
      expect(xRemovesY && yRemovesX).toBe(false);
      const final = await roles(ws);
      expect(final.has(y.id)).toBe(!xRemovesY);
      expect(final.has(x.id)).toBe(!yRemovesX);
      expect(final.get(owner.id)).toBe("owner");
    });
  });

  it("a key minted while its creator is removed never outlives the removal", async () => {
    const [owner, x] = [await user(0), await user(1)];
    await trials(async () => {
      const ws = await createWorkspace(app, owner.cookie);
      await addMember(app, ws, x.id, "admin");
      const [minted, removed] = await Promise.all([
        call(app, { cookie: x.cookie }, "POST", `/api/workspaces/${ws}/api-keys`, {
          description: "race",
          scopes: ["workspaces:read"],
        }),
        call(app, { cookie: owner.cookie }, "DELETE", member(ws, x.id)),
      ]);
      settle([minted.status, removed.status]);
      expect(removed.status).toBe(204);
      // Serially: minted first, then revoked by the removal; or refused because x is no longer a member.
      const { rows } = await app.db.pool.query(
        "SELECT revoked_at FROM api_keys WHERE workspace_id = $1 AND created_by = $2",
        [ws, x.id],
      );
      expect(rows.length).toBe(minted.status === 201 ? 1 : 0);
      for (const r of rows) expect(r.revoked_at).not.toBeNull();
    });
  });

  it("an owner deleting the workspace while being demoted: never both", async () => {
    const [a, b] = [await user(0), await user(1)];
    await trials(async () => {
      const ws = await createWorkspace(app, a.cookie);
      await addMember(app, ws, b.id, "owner");
      const [deleted, demoted] = settle(
        (
          await Promise.all([
            call(app, { cookie: a.cookie }, "DELETE", `/api/workspaces/${ws}`),
            call(app, { cookie: b.cookie }, "PATCH", member(ws, a.id), { role: "admin" }),
          ])
        ).map((r) => r.status),
      );
      expect(deleted && demoted).toBe(false);
      const { rows } = await app.db.pool.query("SELECT 1 FROM workspaces WHERE id = $1", [ws]);
      expect(rows.length).toBe(deleted ? 0 : 1);
    });
  });

  it("a change PostgreSQL breaks as a deadlock answers a clean 409 and changes nothing", async () => {
    const [owner, x] = [await user(0), await user(1)];
    const ws = await createWorkspace(app, owner.cookie);
    await addMember(app, ws, x.id, "admin");
    const key = await createApiKey(app, x.cookie, ws, ["workspaces:read"]);
    // Another session (an operator's SQL) takes the locks in the opposite order: the key first, then the
    // members. The removal waits on the key first, so its deadlock check fires first and it is the one aborted.
    const other = await app.db.pool.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE", [key.id]);
      const removal = call(app, { cookie: owner.cookie }, "DELETE", member(ws, x.id));
      await expect
        .poll(
          async () =>
            (
              await app.db.pool.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
              )
            ).rows[0].n,
          { timeout: 2_000, interval: 10 },
        )
        .toBe(1);
      const otherLocks = other.query("SELECT 1 FROM workspace_members WHERE workspace_id = $1 FOR UPDATE", [
        ws,
      ]);
      const res = await removal;
      await otherLocks;
      await other.query("ROLLBACK");
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        error: "concurrent_change",
        requestId: res.headers.get("x-request-id"),
      });
      expect(res.text).not.toMatch(/deadlock|40P01/i);
    } finally {
      other.release();
    }
    expect((await roles(ws)).get(x.id)).toBe("admin");
    expect((await call(app, { apiKey: key.key }, "GET", `/api/workspaces/${ws}`)).status).toBe(200);
  });
});
