/**
 * Password reset by email, through the real app, PostgreSQL, Redis and a real SMTP server (the
 * smtp-server package) on loopback that receives what the API sends.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createUser, login, PASSWORD } from "./identity.js";
import { type Received, SmtpInbox } from "./smtp-inbox.js";

const NEW_PASSWORD = "a different horse, stapled";
const smtp = new SmtpInbox();
let app: TestApp;

const mailsTo = (address: string) => smtp.to(address);

const mailTo = (address: string, count = 1) => smtp.waitFor(address, count);

const tokenIn = (mail: Received | undefined) => {
  const match = /http:\/\/nora\.test\/reset-password#token=([A-Za-z0-9_-]{43})/.exec(mail?.body ?? "");
  if (!match?.[1]) throw new Error("no reset link in the mail");
  return match[1];
};

const request = (email: string, target = app) =>
  call(target, {}, "POST", "/api/auth/password-reset/request", { email });
const reset = (token: string, newPassword = NEW_PASSWORD) =>
  call(app, {}, "POST", "/api/auth/password-reset", { token, newPassword });

async function auditActions() {
  const { rows } = await app.db.pool.query<{ action: string }>("SELECT action FROM audit_log ORDER BY id");
  return rows.map((r) => r.action);
}

/** Background mail delivery has had time to happen (or not). */
const settle = () => new Promise((r) => setTimeout(r, 300));

beforeAll(() => smtp.start());
afterAll(() => smtp.stop());

beforeEach(async () => {
  app = await startTestApp({
    env: {
      ...NO_RATE_LIMITS,
      ...smtp.env(),
    },
  });
  await createUser(app, { role: "admin" });
});
afterEach(async () => {
  await app.close();
});

describe("password reset", () => {
  it("mails a single-use link; using it sets the password, ends every session and proves the address", async () => {
    const user = await createUser(app);
    const cookie = await login(app, user.email);
    expect((await call(app, {}, "GET", "/api/auth/bootstrap-status")).body).toMatchObject({
      passwordReset: true,
    });

    const asked = await request(user.email);
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ status: "ok" });
    const [mail] = await mailTo(user.email);
    expect(mail?.body).toContain("Subject: Reset your Nora password");
    const token = tokenIn(mail);

    // Only an HMAC of the token is stored, bound to the address it went to.
    const { rows } = await app.db.pool.query<{ token_hash: Buffer; email: string }>(
      "SELECT token_hash, email FROM password_reset_tokens WHERE user_id = $1",
      [user.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.email).toBe(user.email);
    expect(rows[0]?.token_hash.length).toBe(32);
    expect(rows[0]?.token_hash.toString("base64url")).not.toBe(token);

    const done = await reset(token);
    expect(done.status).toBe(204);
    expect((await call(app, { cookie }, "GET", "/api/auth/me")).status).toBe(401);
    await expect(login(app, user.email)).rejects.toThrow(/401/);
    const fresh = await login(app, user.email, NEW_PASSWORD);
    expect((await call(app, { cookie: fresh }, "GET", "/api/auth/me")).body.user).toMatchObject({
      emailVerified: true,
    });

    const again = await reset(token, "yet another horse, stapled");
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: "invalid_reset_token" });
    expect(again.body.requestId).toBe(again.headers.get("x-request-id"));

    const [, notice] = await mailTo(user.email, 2);
    expect(notice?.body).toContain("Subject: Your Nora password was reset");
    expect(notice?.body).not.toContain(token);
    expect(await auditActions()).toEqual(
      expect.arrayContaining(["auth.password_reset.requested", "auth.email_verified", "auth.password_reset"]),
    );
    const { rows: left } = await app.db.pool.query("SELECT 1 FROM password_reset_tokens");
    expect(left).toHaveLength(0);
  });

  it("answers an unknown or disabled address exactly as a known one, and mails nothing", async () => {
    const disabled = await createUser(app);
    await app.db.pool.query("UPDATE users SET disabled_at = now() WHERE id = $1", [disabled.id]);
    const unknown = await request("nobody-here@example.org");
    const off = await request(disabled.email);
    for (const res of [unknown, off]) {
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: "ok" });
    }
    await settle();
    expect(mailsTo("nobody-here@example.org")).toHaveLength(0);
    expect(mailsTo(disabled.email)).toHaveLength(0);
  });

  it("keeps only the newest link alive, refuses an expired one, and one whose address changed", async () => {
    const user = await createUser(app);
    await request(user.email);
    const first = tokenIn((await mailTo(user.email))[0]);
    await request(user.email);
    const second = tokenIn((await mailTo(user.email, 2))[1]);
    expect((await reset(first)).status).toBe(400);

    await app.db.pool.query("UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'");
    expect((await reset(second)).body).toMatchObject({ error: "invalid_reset_token" });

    await request(user.email);
    const third = tokenIn((await mailTo(user.email, 3))[2]);
    await app.db.pool.query("UPDATE users SET email = $2 WHERE id = $1", [user.id, `moved-${user.email}`]);
    expect((await reset(third)).status).toBe(400);
    // None of them changed the password.
    await app.db.pool.query("UPDATE users SET email = $2 WHERE id = $1", [user.id, user.email]);
    expect(await login(app, user.email, PASSWORD)).toMatch(/=/);
  });

  it("refuses bad input with 400 and changes nothing", async () => {
    const user = await createUser(app);
    await request(user.email);
    const token = tokenIn((await mailTo(user.email))[0]);
    for (const body of [
      { token: "short", newPassword: NEW_PASSWORD },
      { token, newPassword: "password" },
      { token, newPassword: NEW_PASSWORD, extra: 1 },
      { token },
    ]) {
      const res = await call(app, {}, "POST", "/api/auth/password-reset", body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "validation_failed" });
    }
    expect(
      (await call(app, {}, "POST", "/api/auth/password-reset/request", { email: "not an email" })).status,
    ).toBe(400);
    // The token survived the bad attempts and still works once.
    expect((await reset(token)).status).toBe(204);
  });

  it("mails an address at most three times in a burst, answering the same after", async () => {
    const user = await createUser(app);
    for (let i = 0; i < 5; i++) expect((await request(user.email)).status).toBe(202);
    await mailTo(user.email, 3);
    await settle();
    expect(mailsTo(user.email)).toHaveLength(3);
  });

  it("without SMTP is not offered, and asking is 503", async () => {
    const bare = await startTestApp({ env: NO_RATE_LIMITS });
    try {
      expect((await call(bare, {}, "GET", "/api/auth/bootstrap-status")).body).toMatchObject({
        passwordReset: false,
      });
      const res = await request("someone@example.org", bare);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: "email_delivery_unavailable" });
    } finally {
      await bare.close();
    }
  });
});
