/**
 * Signup modes (open | invite | closed), through the real app, PostgreSQL and Redis: every path that
 * can create a user, in every mode, from one table. GitHub cannot be reached from here; the local
 * fake in oauth-fakes.ts speaks its OAuth wire protocol on 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createUser, createWorkspace, login, ORIGIN, PASSWORD, userWithSession } from "./identity.js";
import { Browser, type FakeGitHub, PUBLIC_ORIGIN, startFakeGitHub } from "./oauth-fakes.js";

const MODES = ["open", "invite", "closed"] as const;
type Mode = (typeof MODES)[number];

let github: FakeGitHub;
const apps: TestApp[] = [];

beforeAll(async () => {
  github = await startFakeGitHub();
});
afterAll(() => github?.close());
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function app(env: Record<string, string> = {}, options: { db?: TestApp["db"] } = {}) {
  const started = await startTestApp({
    env: {
      ...NO_RATE_LIMITS,
      SIGNUP_BURST: "1000",
      SIGNUP_PER_HOUR: "100000",
      SIGNUP_DAILY_LIMIT: "100000",
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      GITHUB_OAUTH_URL: github.url,
      GITHUB_API_URL: github.apiUrl,
      ...env,
    },
    ...(options.db ? { db: options.db } : {}),
  });
  apps.push(started);
  return started;
}

const signup = (a: TestApp, email: string, extra: Record<string, unknown> = {}) =>
  call(a, {}, "POST", "/api/auth/signup", { email, password: PASSWORD, ...extra });

let serial = 0;
/** A GitHub account whose primary address is verified; the next authorization signs it in. */
function githubAccount(email: string) {
  const id = 50_000 + ++serial;
  const loginName = `octo${id}`;
  github.users.set(loginName, {
    id,
    login: loginName,
    name: null,
    emails: [{ email, primary: true, verified: true }],
  });
  github.next = loginName;
}

async function githubSignIn(a: TestApp, email: string): Promise<string> {
  githubAccount(email);
  return new Browser(a.url).signIn("github");
}

const userCount = async (a: TestApp, email: string) =>
  (await a.db.pool.query("SELECT count(*)::int AS n FROM users WHERE email = $1", [email])).rows[0]
    .n as number;

/** A workspace owned by the admin, and an invitation to it; returns the token from the accept link. */
async function invite(a: TestApp, adminCookie: string, workspaceId: string, email: string) {
  const res = await call(a, { cookie: adminCookie }, "POST", `/api/workspaces/${workspaceId}/invitations`, {
    email,
    role: "editor",
  });
  expect(res.status).toBe(201);
  return (res.body.acceptUrl as string).split("#token=")[1] as string;
}

/** A server in `mode`, already claimed by an admin who owns a workspace. */
async function claimedServer(mode: Mode) {
  const a = await app({ SIGNUP_MODE: mode });
  expect((await signup(a, "admin@example.org")).status).toBe(202);
  const adminCookie = await login(a, "admin@example.org");
  const workspaceId = await createWorkspace(a, adminCookie);
  return { a, adminCookie, workspaceId };
}

type Outcome = "created" | "refused" | "signed_in";

interface PathCase {
  name: string;
  /** Runs the path for a fresh address; answers whether it created an account (with the refusal). */
  run(server: Awaited<ReturnType<typeof claimedServer>>): Promise<{ outcome: Outcome; code?: string }>;
  expect: Record<Mode, { outcome: Outcome; code?: string }>;
}

const fresh = (label: string) => `${label}-${randomBytes(3).toString("hex")}@example.org`;

const PATHS: PathCase[] = [
  {
    name: "password signup without an invitation",
    async run({ a }) {
      const email = fresh("plain");
      const res = await signup(a, email);
      if (res.status === 202 && (await userCount(a, email)) === 1) return { outcome: "created" };
      expect(await userCount(a, email)).toBe(0);
      return { outcome: "refused", code: `${res.status} ${res.body.error}` };
    },
    expect: {
      open: { outcome: "created" },
      invite: { outcome: "refused", code: "403 signup_invitation_required" },
      closed: { outcome: "refused", code: "403 signup_closed" },
    },
  },
  {
    name: "password signup with the invitation's token (accepting it as a new user)",
    async run({ a, adminCookie, workspaceId }) {
      const email = fresh("invited");
      const token = await invite(a, adminCookie, workspaceId, email);
      const res = await signup(a, email, { invitationToken: token });
      const { rows } = await a.db.pool.query(
        "SELECT accepted_at IS NOT NULL AS accepted FROM workspace_invitations WHERE email = $1",
        [email],
      );
      if (res.status === 202 && (await userCount(a, email)) === 1) {
        // The new account is a member as invited, and the invitation is used up.
        const cookie = await login(a, email);
        const members = await call(a, { cookie }, "GET", `/api/workspaces/${workspaceId}`);
        expect(members.status).toBe(200);
        expect(rows[0]?.accepted).toBe(true);
        return { outcome: "created" };
      }
      expect(await userCount(a, email)).toBe(0);
      expect(rows[0]?.accepted).toBe(false);
      return { outcome: "refused", code: `${res.status} ${res.body.error}` };
    },
    expect: {
      open: { outcome: "created" },
      invite: { outcome: "created" },
      closed: { outcome: "refused", code: "403 signup_closed" },
    },
  },
  {
    name: "password signup with another address's invitation token",
    async run({ a, adminCookie, workspaceId }) {
      const token = await invite(a, adminCookie, workspaceId, fresh("someone"));
      const email = fresh("squatter");
      const res = await signup(a, email, { invitationToken: token });
      if (res.status === 202 && (await userCount(a, email)) === 1) return { outcome: "created" };
      return { outcome: "refused", code: `${res.status} ${res.body.error}` };
    },
    expect: {
      open: { outcome: "refused", code: "403 invitation_email_mismatch" },
      invite: { outcome: "refused", code: "403 invitation_email_mismatch" },
      closed: { outcome: "refused", code: "403 signup_closed" },
    },
  },
  {
    name: "password signup with an unknown invitation token",
    async run({ a }) {
      const email = fresh("guesser");
      const res = await signup(a, email, { invitationToken: randomBytes(32).toString("base64url") });
      if (res.status === 202 && (await userCount(a, email)) === 1) return { outcome: "created" };
      return { outcome: "refused", code: `${res.status} ${res.body.error}` };
    },
    expect: {
      open: { outcome: "refused", code: "400 invalid_invitation" },
      invite: { outcome: "refused", code: "400 invalid_invitation" },
      closed: { outcome: "refused", code: "403 signup_closed" },
    },
  },
  {
    name: "OAuth first sign-in for an invited address",
    async run({ a, adminCookie, workspaceId }) {
      const email = fresh("oauth-invited");
      await invite(a, adminCookie, workspaceId, email);
      const landed = await githubSignIn(a, email);
      if (landed === `${PUBLIC_ORIGIN}/app`) return { outcome: "created" };
      expect(await userCount(a, email)).toBe(0);
      return { outcome: "refused", code: new URL(landed).searchParams.get("error") ?? landed };
    },
    expect: {
      open: { outcome: "created" },
      invite: { outcome: "created" },
      closed: { outcome: "refused", code: "oauth_signup_closed" },
    },
  },
  {
    name: "OAuth first sign-in for an address nobody invited",
    async run({ a }) {
      const email = fresh("oauth-stranger");
      const landed = await githubSignIn(a, email);
      if (landed === `${PUBLIC_ORIGIN}/app`) return { outcome: "created" };
      expect(await userCount(a, email)).toBe(0);
      expect(await a.db.pool.query("SELECT 1 FROM user_identities")).toMatchObject({ rowCount: 0 });
      return { outcome: "refused", code: new URL(landed).searchParams.get("error") ?? landed };
    },
    expect: {
      open: { outcome: "created" },
      invite: { outcome: "refused", code: "oauth_signup_invitation_required" },
      closed: { outcome: "refused", code: "oauth_signup_closed" },
    },
  },
  {
    name: "an existing user signs in with a password",
    async run({ a }) {
      const user = await createUser(a);
      return { outcome: (await login(a, user.email)) ? "signed_in" : "refused" };
    },
    expect: {
      open: { outcome: "signed_in" },
      invite: { outcome: "signed_in" },
      closed: { outcome: "signed_in" },
    },
  },
  {
    name: "an existing user signs in with OAuth (first time: linked; then: the identity)",
    async run({ a }) {
      const user = await createUser(a);
      // Only a verified address is linked (docs/security.md, "Email verification and linked sign-in methods").
      await a.db.pool.query("UPDATE users SET email_verified = true WHERE id = $1", [user.id]);
      const first = await githubSignIn(a, user.email);
      const again = await new Browser(a.url).signIn("github");
      const ok = first === `${PUBLIC_ORIGIN}/app` && again === `${PUBLIC_ORIGIN}/app`;
      expect(await userCount(a, user.email)).toBe(1);
      return ok ? { outcome: "signed_in" } : { outcome: "refused", code: `${first} ${again}` };
    },
    expect: {
      open: { outcome: "signed_in" },
      invite: { outcome: "signed_in" },
      closed: { outcome: "signed_in" },
    },
  },
];

describe("every path that creates a user, in every signup mode", () => {
  const cells = MODES.flatMap((mode) => PATHS.map((path) => [mode, path.name, path] as const));

  it.each(cells)("%s: %s", async (mode, _name, path) => {
    const server = await claimedServer(mode);
    expect(await path.run(server)).toEqual(path.expect[mode]);
  });

  it.each(MODES)(
    "%s: the claim works while the server is unclaimed, by password and by OAuth",
    async (mode) => {
      const byPassword = await app({ SIGNUP_MODE: mode });
      expect((await signup(byPassword, "first@example.org")).status).toBe(202);
      const first = await call(
        byPassword,
        { cookie: await login(byPassword, "first@example.org") },
        "GET",
        "/api/auth/me",
      );
      expect(first.body.user).toMatchObject({ role: "admin" });

      const byOAuth = await app({ SIGNUP_MODE: mode });
      expect(await githubSignIn(byOAuth, "octo-first@example.org")).toBe(`${PUBLIC_ORIGIN}/app`);
      const { rows } = await byOAuth.db.pool.query(
        "SELECT role FROM users WHERE email = 'octo-first@example.org'",
      );
      expect(rows).toEqual([{ role: "admin" }]);
    },
  );

  it("lets exactly one of many concurrent first signups in under invite, as admin", async () => {
    const a = await app({ SIGNUP_MODE: "invite" });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => signup(a, `racer-${i}@example.org`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 403, 403, 403, 403, 403, 403, 403]);
    const { rows } = await a.db.pool.query("SELECT role FROM users");
    expect(rows).toEqual([{ role: "admin" }]);
  });
});

describe("the signup mode an admin stores", () => {
  it("overrides the environment's default, is audited with the old and new value, and drops back to it", async () => {
    const a = await app({ SIGNUP_MODE: "closed" });
    const admin = await userWithSession(a, { role: "admin" });
    const get = await call(a, admin, "GET", "/api/admin/settings");
    expect(get.status).toBe(200);
    expect(get.body.settings).toEqual({
      signupMode: { value: "closed", source: "default", default: "closed", updatedAt: null, updatedBy: null },
    });
    expect((await signup(a, "early@example.org")).body.error).toBe("signup_closed");

    const put = await call(a, admin, "PUT", "/api/admin/settings", { signupMode: "open" });
    expect(put.status).toBe(200);
    expect(put.body.settings).toMatchObject({
      signupMode: { value: "open", source: "stored", default: "closed", updatedBy: admin.id },
    });
    expect((await signup(a, "later@example.org")).status).toBe(202);
    expect(await userCount(a, "later@example.org")).toBe(1);

    const reset = await call(a, admin, "PUT", "/api/admin/settings", { signupMode: null });
    expect(reset.body.settings).toMatchObject({ signupMode: { value: "closed", source: "default" } });
    expect((await signup(a, "after@example.org")).status).toBe(403);

    const audit = await a.db.pool.query(
      "SELECT actor_user_id AS actor, target_id AS target, request_id AS rid, metadata FROM audit_log WHERE action = 'admin.settings_updated' ORDER BY id",
    );
    expect(audit.rows).toEqual([
      {
        actor: admin.id,
        target: "signup_mode",
        rid: put.headers.get("x-request-id"),
        metadata: {
          setting: "signupMode",
          old: { value: "closed", source: "default" },
          new: { value: "open", source: "stored" },
        },
      },
      {
        actor: admin.id,
        target: "signup_mode",
        rid: reset.headers.get("x-request-id"),
        metadata: {
          setting: "signupMode",
          old: { value: "open", source: "stored" },
          new: { value: "closed", source: "default" },
        },
      },
    ]);
    const listed = await call(a, admin, "GET", "/api/admin/audit?action=admin.settings_updated");
    expect(listed.status).toBe(200);
  });

  it.each([
    [{ signupMode: "everyone" }],
    [{ signupMode: "open", extra: true }],
    [{}],
    [{ signupMode: ["open"] }],
  ])("refuses a malformed change %o with 400 and changes nothing", async (body) => {
    const a = await app({ SIGNUP_MODE: "invite" });
    const admin = await userWithSession(a, { role: "admin" });
    const res = await call(a, admin, "PUT", "/api/admin/settings", body);
    expect(res.status).toBe(400);
    expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    expect((await a.db.pool.query("SELECT * FROM platform_settings")).rowCount).toBe(0);
    expect(
      (await a.db.pool.query("SELECT 1 FROM audit_log WHERE action = 'admin.settings_updated'")).rowCount,
    ).toBe(0);
  });

  it("cannot hold an unknown mode, even written by hand", async () => {
    const a = await app();
    await expect(
      a.db.pool.query(`INSERT INTO platform_settings (key, value) VALUES ('signup_mode', '"everyone"')`),
    ).rejects.toThrow(/platform_settings_signup_mode/);
  });

  it("takes effect on every replica at once (two app instances on one database)", async () => {
    const first = await app({ SIGNUP_MODE: "invite" });
    const second = await app({ SIGNUP_MODE: "invite" }, { db: first.db });
    const admin = await userWithSession(first, { role: "admin" });
    expect((await signup(second, "r1@example.org")).body.error).toBe("signup_invitation_required");

    expect((await call(first, admin, "PUT", "/api/admin/settings", { signupMode: "open" })).status).toBe(200);
    expect((await signup(second, "r2@example.org")).status).toBe(202);
    expect((await call(second, {}, "GET", "/api/auth/bootstrap-status")).body.signup).toEqual({
      mode: "open",
      newAccounts: "open",
    });

    const adminOnSecond = { cookie: await login(second, admin.email) };
    expect(
      (await call(second, adminOnSecond, "PUT", "/api/admin/settings", { signupMode: "closed" })).status,
    ).toBe(200);
    expect((await signup(first, "r3@example.org")).body.error).toBe("signup_closed");
    expect(await githubSignIn(first, "r4@example.org")).toBe(
      `${PUBLIC_ORIGIN}/login?error=oauth_signup_closed`,
    );
    expect(
      (await first.db.pool.query("SELECT email FROM users ORDER BY created_at")).rows.map((r) => r.email),
    ).toEqual([admin.email, "r2@example.org"]);
  });
});

describe("bootstrap-status", () => {
  it.each([
    ["open", "open"],
    ["invite", "invitation"],
    ["closed", "closed"],
  ] as const)(
    "tells the UI how accounts are made in %s mode, and nothing else",
    async (mode, newAccounts) => {
      const a = await app({ SIGNUP_MODE: mode });
      const unclaimed = await call(a, {}, "GET", "/api/auth/bootstrap-status");
      expect(unclaimed.body).toEqual({
        needsClaim: true,
        signup: { mode, newAccounts: "open" },
        signIn: { password: true, github: true, google: false },
        captcha: null,
        passwordReset: false,
      });
      await createUser(a, { role: "admin" });
      const claimed = await call(a, {}, "GET", "/api/auth/bootstrap-status");
      expect(claimed.headers.get("cache-control")).toBe("no-store");
      expect(claimed.body).toEqual({
        needsClaim: false,
        signup: { mode, newAccounts },
        signIn: { password: true, github: true, google: false },
        captcha: null,
        passwordReset: false,
      });
      expect(claimed.text).not.toContain(github.clientSecret);
      expect(claimed.text).not.toContain(github.clientId);
    },
  );

  it("is readable by a browser on the public origin without credentials", async () => {
    const a = await app();
    const res = await fetch(`${a.url}/api/auth/bootstrap-status`, { headers: { origin: ORIGIN } });
    expect(res.status).toBe(200);
  });
});
