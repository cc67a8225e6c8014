import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createUser, login, ORIGIN, PASSWORD, userWithSession } from "./identity.js";

describe("accounts and sessions", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ...NO_RATE_LIMITS,
        SIGNUP_MODE: "open",
        SIGNUP_BURST: "1000",
        SIGNUP_PER_HOUR: "100000",
        SIGNUP_DAILY_LIMIT: "100000",
      },
    });
  });
  afterAll(() => app.close());

  const signup = (email: string, password = PASSWORD) =>
    call(app, {}, "POST", "/api/auth/signup", { email, password });

  it("signs up, logs in with a hardened cookie, and knows who is calling", async () => {
    expect((await signup("Ana@Example.org")).status).toBe(202);
    const res = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ana@example.org", password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-nora_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
    const me = await call(app, { cookie: cookie.split(";")[0] as string }, "GET", "/api/auth/me");
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: "ana@example.org" });
    expect(JSON.stringify(me.body)).not.toContain("password");
  });

  it("answers a duplicate signup exactly like a new one, creating nothing", async () => {
    const email = "dup@example.org";
    const first = await signup(email);
    const second = await signup(email, "another long password 1");
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    const { rows } = await app.db.pool.query("SELECT count(*)::int AS n FROM users WHERE email = $1", [
      email,
    ]);
    expect(rows[0].n).toBe(1);
    await expect(login(app, email, "another long password 1")).rejects.toThrow(/401/);
  });

  it.each([
    ["too short", "short1234"],
    ["too long", "x".repeat(129)],
    ["common", "password123"],
  ])("refuses a %s password", async (_name, password) => {
    const res = await signup(`pw-${Math.random()}@example.org`, password);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_failed");
  });

  it("gives the same answer for an unknown email, a wrong password and a disabled user", async () => {
    const user = await createUser(app);
    const disabled = await createUser(app);
    await app.db.pool.query("UPDATE users SET disabled_at = now() WHERE id = $1", [disabled.id]);
    const attempts = [
      { email: "nobody@example.org", password: PASSWORD },
      { email: user.email, password: "wrong password here" },
      { email: disabled.email, password: PASSWORD },
    ];
    const bodies = [];
    for (const attempt of attempts) {
      const res = await call(app, {}, "POST", "/api/auth/login", attempt);
      expect(res.status).toBe(401);
      bodies.push({ error: res.body.error, message: res.body.message });
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it("takes similar time for an unknown email and a wrong password (same argon2 work)", async () => {
    const user = await createUser(app);
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      await call(app, {}, "POST", "/api/auth/login", { email, password: "wrong password here" });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await time("warmup@example.org");
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time(`ghost-${i}@example.org`));
      wrong.push(await time(user.email));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const ratio = median(unknown) / median(wrong);
    // Without the equalizer an unknown email answers in ~1 ms against ~30+ ms of argon2.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it("revokes at once on logout: the same cookie no longer works", async () => {
    const { cookie } = await userWithSession(app);
    expect((await call(app, { cookie }, "GET", "/api/auth/me")).status).toBe(200);
    expect((await call(app, { cookie }, "POST", "/api/auth/logout")).status).toBe(204);
    expect((await call(app, { cookie }, "GET", "/api/auth/me")).status).toBe(401);
  });

  it("logout-all ends every session of the user", async () => {
    const user = await createUser(app);
    const a = await login(app, user.email);
    const b = await login(app, user.email);
    const res = await call(app, { cookie: a }, "POST", "/api/auth/logout-all");
    expect(res.body.revoked).toBe(2);
    expect((await call(app, { cookie: a }, "GET", "/api/auth/me")).status).toBe(401);
    expect((await call(app, { cookie: b }, "GET", "/api/auth/me")).status).toBe(401);
  });

  it("a password change ends every other session and requires the current password", async () => {
    const user = await createUser(app);
    const current = await login(app, user.email);
    const other = await login(app, user.email);
    const wrong = await call(app, { cookie: current }, "PATCH", "/api/auth/password", {
      currentPassword: "not my password",
      newPassword: "a brand new passphrase",
    });
    expect(wrong.status).toBe(400);
    const ok = await call(app, { cookie: current }, "PATCH", "/api/auth/password", {
      currentPassword: PASSWORD,
      newPassword: "a brand new passphrase",
    });
    expect(ok.status).toBe(204);
    expect((await call(app, { cookie: current }, "GET", "/api/auth/me")).status).toBe(200);
    expect((await call(app, { cookie: other }, "GET", "/api/auth/me")).status).toBe(401);
    await expect(login(app, user.email)).rejects.toThrow(/401/);
    expect(await login(app, user.email, "a brand new passphrase")).toMatch(/nora_session=/);
  });

  it("disabling a user ends their sessions at once", async () => {
    const admin = await userWithSession(app, { role: "admin" });
    const victim = await userWithSession(app);
    const res = await call(app, { cookie: admin.cookie }, "PATCH", `/api/admin/users/${victim.id}`, {
      disabled: true,
    });
    expect(res.status).toBe(200);
    expect((await call(app, { cookie: victim.cookie }, "GET", "/api/auth/me")).status).toBe(401);
    await expect(login(app, victim.email)).rejects.toThrow(/401/);
  });

  it("a disabled user's session dies even without an explicit revoke", async () => {
    const victim = await userWithSession(app);
    await app.db.pool.query("UPDATE users SET disabled_at = now() WHERE id = $1", [victim.id]);
    expect((await call(app, { cookie: victim.cookie }, "GET", "/api/auth/me")).status).toBe(401);
  });

  it("lists the user's sessions and revokes one", async () => {
    const user = await createUser(app);
    const a = await login(app, user.email);
    const b = await login(app, user.email);
    const list = await call(app, { cookie: a }, "GET", "/api/auth/sessions");
    const sessions = list.body.sessions as Array<{ id: string; current: boolean; userAgent: string | null }>;
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const other = sessions.find((s) => !s.current) as { id: string };
    expect((await call(app, { cookie: a }, "DELETE", `/api/auth/sessions/${other.id}`)).status).toBe(204);
    expect((await call(app, { cookie: b }, "GET", "/api/auth/me")).status).toBe(401);
    expect((await call(app, { cookie: a }, "DELETE", `/api/auth/sessions/${other.id}`)).status).toBe(404);
  });

  it("ends a session after its idle timeout and after its absolute maximum", async () => {
    const idle = await userWithSession(app);
    expect((await call(app, { cookie: idle.cookie }, "GET", "/api/auth/me")).status).toBe(200);
    await app.db.pool.query(
      "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [idle.id],
    );
    expect((await call(app, { cookie: idle.cookie }, "GET", "/api/auth/me")).status).toBe(401);

    const old = await userWithSession(app);
    await app.db.pool.query(
      "UPDATE sessions SET absolute_expires_at = now() - interval '1 second' WHERE user_id = $1",
      [old.id],
    );
    expect((await call(app, { cookie: old.cookie }, "GET", "/api/auth/me")).status).toBe(401);
  });

  it("slides the idle expiry forward on use, never past the absolute maximum", async () => {
    const user = await userWithSession(app);
    await app.db.pool.query(
      "UPDATE sessions SET last_seen_at = now() - interval '2 minutes', expires_at = now() + interval '1 hour' WHERE user_id = $1",
      [user.id],
    );
    await call(app, { cookie: user.cookie }, "GET", "/api/auth/me");
    const read = async () =>
      (
        await app.db.pool.query<{ idle: number; capped: boolean }>(
          `SELECT extract(epoch FROM expires_at - now())::int AS idle, expires_at <= absolute_expires_at AS capped
           FROM sessions WHERE user_id = $1`,
          [user.id],
        )
      ).rows[0];
    await expect.poll(async () => (await read())?.idle ?? 0).toBeGreaterThan(167 * 3600);
    expect((await read())?.capped).toBe(true);
  });

  it("refuses forged, tampered and foreign tokens", async () => {
    const { cookie } = await userWithSession(app);
    const [name, token] = cookie.split("=") as [string, string];
    const [h, p, s] = token.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...payload, sub: crypto.randomUUID() })).toString(
      "base64url",
    );
    for (const bad of [
      `${h}.${forgedPayload}.${s}`,
      `${h}.${p}.${s.slice(0, -2)}xx`,
      "not-a-jwt",
      `${h}.${p}.`,
    ]) {
      expect((await call(app, { cookie: `${name}=${bad}` }, "GET", "/api/auth/me")).status).toBe(401);
    }
  });

  it("refuses a cross-site cookie-authenticated POST (CSRF) and one with no Origin", async () => {
    const { cookie } = await userWithSession(app);
    const post = (headers: Record<string, string>) =>
      fetch(`${app.url}/api/workspaces`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, ...headers },
        body: JSON.stringify({ name: "csrf" }),
      });
    const crossSite = await post({ origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: string }).error).toBe("csrf_origin_mismatch");
    const noOrigin = await post({});
    expect(noOrigin.status).toBe(403);
    const viaReferer = await post({ referer: "https://evil.example/page" });
    expect(viaReferer.status).toBe(403);
    expect((await post({ origin: ORIGIN })).status).toBe(201);
    const { rows } = await app.db.pool.query("SELECT count(*)::int AS n FROM workspaces WHERE name = 'csrf'");
    expect(rows[0].n).toBe(1);
  });

  it("refuses a cross-site login (login CSRF)", async () => {
    const user = await createUser(app);
    const res = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ email: user.email, password: PASSWORD }),
    });
    expect(res.status).toBe(403);
  });

  it("audits sign-in, logout and password changes with the request id and IP", async () => {
    const user = await createUser(app);
    const cookie = await login(app, user.email);
    await call(app, { cookie }, "POST", "/api/auth/logout");
    const { rows } = await app.db.pool.query(
      "SELECT action, request_id, host(ip) AS ip FROM audit_log WHERE actor_user_id = $1 ORDER BY id",
      [user.id],
    );
    expect(rows.map((r) => r.action)).toEqual(["auth.login", "auth.logout"]);
    for (const row of rows) {
      expect(row.request_id).toBeTruthy();
      expect(row.ip).toBe("127.0.0.1");
    }
  });
});
