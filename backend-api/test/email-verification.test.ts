/**
 * Email verification of password accounts, through the real app, PostgreSQL, Redis and a real SMTP
 * server (the smtp-server package) on loopback that receives what the API sends.
 */
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, createRedis, MIGRATIONS_DIR, migrate } from "@nora/core";
import { createTestDatabase, testConfig } from "@nora/core/testing";
import { createAuthService } from "@nora/domain/auth/service";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createUser, login, ORIGIN, PASSWORD } from "./identity.js";
import { type Received, SmtpInbox } from "./smtp-inbox.js";

const smtp = new SmtpInbox();
let app: TestApp;

const mailTo = (address: string, count = 1) => smtp.waitFor(address, count);

const tokenIn = (mail: Received) => {
  const match = /\/verify-email#token=([A-Za-z0-9_-]{43})/.exec(mail.body);
  if (!match?.[1]) throw new Error("no verification link in the mail");
  return match[1];
};

const smtpEnv = () => ({
  ...NO_RATE_LIMITS,
  // Self-service signup after the claim: the mode in which an unverified address can exist at all.
  SIGNUP_MODE: "open",
  ...smtp.env(),
});

let serial = 0;
/** Signs up through the API (after the server is claimed), logs in, and returns the mailed token. */
async function signUp(target: TestApp = app) {
  const email = `person-${++serial}-${Date.now()}@example.org`;
  const res = await call(target, { cookie: "x=y" }, "POST", "/api/auth/signup", {
    email,
    password: PASSWORD,
  });
  expect(res.status).toBe(202);
  const cookie = await login(target, email);
  const me = await call(target, { cookie }, "GET", "/api/auth/me");
  return { email, cookie, id: (me.body.user as { id: string }).id };
}

async function auditActions(target: TestApp = app) {
  const { rows } = await target.db.pool.query<{ action: string }>("SELECT action FROM audit_log ORDER BY id");
  return rows.map((r) => r.action);
}

beforeAll(() => smtp.start());
afterAll(() => smtp.stop());

beforeEach(async () => {
  app = await startTestApp({ env: smtpEnv() });
  await createUser(app, { role: "admin" });
});
afterEach(async () => {
  await app.close();
});

describe("email verification", () => {
  it("mails a single-use link at signup; the signed-in user confirms it and me shows emailVerified", async () => {
    const person = await signUp();
    const me = await call(app, { cookie: person.cookie }, "GET", "/api/auth/me");
    expect(me.body.user).toMatchObject({ email: person.email, emailVerified: false });

    const [mail] = await mailTo(person.email);
    expect(mail?.body).toContain("Subject: Confirm your email address for Nora");
    expect(mail?.body).toContain("http://nora.test/verify-email#token=");
    const token = tokenIn(mail as Received);

    // Only an HMAC of the token is stored.
    const { rows } = await app.db.pool.query<{ token_hash: Buffer; email: string }>(
      "SELECT token_hash, email FROM email_verification_tokens WHERE user_id = $1",
      [person.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.email).toBe(person.email);
    expect(rows[0]?.token_hash.length).toBe(32);
    expect(rows[0]?.token_hash.toString("base64url")).not.toBe(token);
    expect(rows[0]?.token_hash.toString()).not.toContain(token);

    const confirmed = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email", { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user).toMatchObject({ id: person.id, emailVerified: true });
    expect((await call(app, { cookie: person.cookie }, "GET", "/api/auth/me")).body.user).toMatchObject({
      emailVerified: true,
    });

    // Single use.
    const again = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email", { token });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: "invalid_verification_token" });
    expect(again.body.requestId).toBe(again.headers.get("x-request-id"));

    const actions = await auditActions();
    expect(actions).toContain("auth.email_verification.sent");
    expect(actions).toContain("auth.email_verified");
    expect(app.logs.text).not.toContain(token);

    // A verified user cannot ask for another mail.
    const resend = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email/resend");
    expect(resend.status).toBe(409);
    expect(resend.body).toMatchObject({ error: "already_verified" });
  });

  it("needs the session of the account the token was mailed for", async () => {
    const owner = await signUp();
    const other = await signUp();
    const token = tokenIn((await mailTo(owner.email))[0] as Received);

    // Whoever receives the mail without that account's session cannot use it...
    const anonymous = await call(app, {}, "POST", "/api/auth/verify-email", { token });
    expect(anonymous.status).toBe(401);
    const foreign = await call(app, { cookie: other.cookie }, "POST", "/api/auth/verify-email", { token });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({ error: "invalid_verification_token" });
    const { rows } = await app.db.pool.query("SELECT id, email_verified FROM users WHERE id = ANY($1)", [
      [owner.id, other.id],
    ]);
    expect(rows.every((r) => r.email_verified === false)).toBe(true);

    // ...and the failed attempt did not burn it for its owner.
    const mine = await call(app, { cookie: owner.cookie }, "POST", "/api/auth/verify-email", { token });
    expect(mine.status).toBe(200);
  });

  it("refuses an expired token and a token for an address the account no longer has", async () => {
    const person = await signUp();
    const token = tokenIn((await mailTo(person.email))[0] as Received);
    await app.db.pool.query(
      "UPDATE email_verification_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [person.id],
    );
    const expired = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email", { token });
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ error: "invalid_verification_token" });

    const resent = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email/resend");
    expect(resent.status).toBe(202);
    const fresh = tokenIn((await mailTo(person.email, 2))[1] as Received);
    await app.db.pool.query("UPDATE users SET email = $2 WHERE id = $1", [
      person.id,
      `moved-${person.email}`,
    ]);
    const moved = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email", {
      token: fresh,
    });
    expect(moved.status).toBe(400);
    const { rows } = await app.db.pool.query("SELECT email_verified FROM users WHERE id = $1", [person.id]);
    expect(rows[0].email_verified).toBe(false);
  });

  it("a resend replaces the earlier token, and resends are rate limited per user", async () => {
    const person = await signUp();
    const first = tokenIn((await mailTo(person.email))[0] as Received);
    const resend = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email/resend");
    expect(resend.status).toBe(202);
    expect(resend.body).toMatchObject({ status: "sent", expiresAt: expect.any(String) });
    const second = tokenIn((await mailTo(person.email, 2))[1] as Received);
    expect(second).not.toBe(first);

    const old = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email", {
      token: first,
    });
    expect(old.status).toBe(400);

    // The burst is 3; the signup's own mail does not count.
    for (let i = 0; i < 2; i++) {
      expect(
        (await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email/resend")).status,
      ).toBe(202);
    }
    const limited = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email/resend");
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: "verification_rate_limited" });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    // Another user has a bucket of their own.
    const other = await signUp();
    expect((await call(app, { cookie: other.cookie }, "POST", "/api/auth/verify-email/resend")).status).toBe(
      202,
    );

    // Only the latest token works.
    const latest = tokenIn((await mailTo(person.email, 4))[3] as Received);
    expect(
      (await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email", { token: latest }))
        .status,
    ).toBe(200);
  });

  it("validates the token at the edge and never takes it from a query string", async () => {
    const person = await signUp();
    const token = tokenIn((await mailTo(person.email))[0] as Received);
    for (const body of [{}, { token: "short" }, { token: `${token}x` }, { token, extra: 1 }]) {
      const res = await call(app, { cookie: person.cookie }, "POST", "/api/auth/verify-email", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: "validation_failed" });
    }
    const res = await fetch(`${app.url}/api/auth/verify-email?token=${token}`, {
      method: "POST",
      headers: { cookie: person.cookie, origin: ORIGIN, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(400);
    const { rows } = await app.db.pool.query("SELECT email_verified FROM users WHERE id = $1", [person.id]);
    expect(rows[0].email_verified).toBe(false);
    // A duplicate signup sends nothing and answers the same.
    const dup = await call(app, { cookie: "x=y" }, "POST", "/api/auth/signup", {
      email: person.email,
      password: PASSWORD,
    });
    expect(dup.status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.to(person.email)).toHaveLength(1);
  });

  it("the claim account is verified and gets no mail; the bootstrap admin is verified", async () => {
    const fresh = await startTestApp({ env: smtpEnv() });
    try {
      const email = `claim-${Date.now()}@example.org`;
      const res = await call(fresh, { cookie: "x=y" }, "POST", "/api/auth/signup", {
        email,
        password: PASSWORD,
      });
      expect(res.status).toBe(202);
      const cookie = await login(fresh, email);
      expect((await call(fresh, { cookie }, "GET", "/api/auth/me")).body.user).toMatchObject({
        role: "admin",
        emailVerified: true,
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.to(email)).toEqual([]);
    } finally {
      await fresh.close();
    }

    const db = await createTestDatabase();
    const config = testConfig({
      DATABASE_URL: db.url,
      NORA_BOOTSTRAP_ADMIN_EMAIL: "root@example.org",
      NORA_BOOTSTRAP_ADMIN_PASSWORD: "a-long-bootstrap-password-1",
    });
    const redis = createRedis(config.redis, "verify-test");
    try {
      const auth = createAuthService({
        config,
        pool: db.pool,
        redis,
        logger: createLogger({ service: "api", level: "silent" }),
      });
      expect(await auth.ensureBootstrapAdmin()).toBe("created");
      const { rows } = await db.pool.query("SELECT role, email_verified FROM users");
      expect(rows).toEqual([{ role: "admin", email_verified: true }]);
    } finally {
      redis.disconnect();
      await db.drop();
    }
  });

  it("without SMTP, signup works, nothing is stored, and a resend says the server cannot send email", async () => {
    const plain = await startTestApp({ env: { ...NO_RATE_LIMITS, SIGNUP_MODE: "open" } });
    try {
      await createUser(plain, { role: "admin" });
      const person = await signUp(plain);
      const { rows } = await plain.db.pool.query("SELECT count(*)::int AS n FROM email_verification_tokens");
      expect(rows[0].n).toBe(0);
      const resend = await call(plain, { cookie: person.cookie }, "POST", "/api/auth/verify-email/resend");
      expect(resend.status).toBe(503);
      expect(resend.body).toMatchObject({ error: "email_delivery_unavailable" });
      expect(await auditActions(plain)).not.toContain("auth.email_verification.sent");
    } finally {
      await plain.close();
    }
  });
});

describe("migration 0008 and existing accounts", () => {
  it("verifies admins, leaves password signups unverified, and disarms password accounts merged by address", async () => {
    const db = await createTestDatabase({ empty: true });
    const dir = await mkdtemp(join(tmpdir(), "nora-mig-"));
    try {
      const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
      const before = files.filter((f) => f < "0008");
      for (const f of before) await cp(join(MIGRATIONS_DIR, f), join(dir, f));
      await migrate(db.pool, { dir });

      const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
      const user = async (email: string, role: string, password: string | null, verified: boolean) =>
        (
          await q(
            "INSERT INTO users (email, role, password_hash, email_verified) VALUES ($1, $2, $3, $4) RETURNING id",
            [email, role, password, verified],
          )
        )[0].id as string;
      const claim = await user("claim@example.org", "admin", "hash", false);
      const plainSignup = await user("plain@example.org", "user", "hash", false);
      const oauthOnly = await user("oauth@example.org", "user", null, true);
      const merged = await user("merged@example.org", "user", "attacker-hash", true);
      for (const [userId, subject] of [
        [oauthOnly, "1"],
        [merged, "2"],
      ] as const) {
        const identity = (
          await q(
            "INSERT INTO user_identities (user_id, provider, subject) VALUES ($1, 'github', $2) RETURNING id",
            [userId, subject],
          )
        )[0].id as string;
        if (userId === merged) {
          await q(
            `INSERT INTO audit_log (actor_type, actor_user_id, action, target_type, target_id)
             VALUES ('user', $1, 'auth.oauth.linked', 'user_identity', $2)`,
            [userId, identity],
          );
        }
      }
      for (const userId of [merged, plainSignup]) {
        await q(
          "INSERT INTO sessions (user_id, expires_at, absolute_expires_at) VALUES ($1, now() + interval '1 day', now() + interval '1 day')",
          [userId],
        );
      }

      expect((await migrate(db.pool)).applied).toContain("0008_email_verification");

      const state = await q(
        `SELECT u.email, u.email_verified AS verified, u.password_hash IS NOT NULL AS "hasPassword",
           count(s.id) FILTER (WHERE s.revoked_at IS NULL)::int AS "liveSessions"
         FROM users u LEFT JOIN sessions s ON s.user_id = u.id GROUP BY u.id ORDER BY u.email`,
      );
      expect(state).toEqual([
        { email: "claim@example.org", verified: true, hasPassword: true, liveSessions: 0 },
        { email: "merged@example.org", verified: true, hasPassword: false, liveSessions: 0 },
        { email: "oauth@example.org", verified: true, hasPassword: false, liveSessions: 0 },
        { email: "plain@example.org", verified: false, hasPassword: true, liveSessions: 1 },
      ]);
      expect(
        await q("SELECT action, target_id AS target, metadata FROM audit_log WHERE actor_type = 'system'"),
      ).toEqual([
        {
          action: "auth.password_cleared",
          target: merged,
          metadata: { reason: "merged_by_unverified_address" },
        },
      ]);
      expect(claim).toBeTruthy();
    } finally {
      await rm(dir, { recursive: true, force: true });
      await db.drop();
    }
  });
});
