import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@nora/core";
import { LogCapture, testConfig } from "@nora/core/testing";
import { createAuthService } from "@nora/domain/auth/service";
import { afterEach, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, login, PASSWORD } from "./identity.js";

const apps: TestApp[] = [];
async function app(env: Record<string, string> = {}) {
  const started = await startTestApp({ env: { ...NO_RATE_LIMITS, ...env } });
  apps.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const signup = (
  a: TestApp,
  email: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  fetch(`${a.url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password: PASSWORD, ...extra }),
  });

describe("first-run claim", () => {
  it("reports needsClaim until the first account exists, and that account is admin", async () => {
    const a = await app({ SIGNUP_MODE: "open" });
    const before = await call(a, {}, "GET", "/api/auth/bootstrap-status");
    expect(before.body).toEqual({
      needsClaim: true,
      signup: { mode: "open", newAccounts: "open" },
      signIn: { password: true, github: false, google: false },
      captcha: null,
      passwordReset: false,
    });
    await signup(a, "first@example.org");
    await signup(a, "second@example.org");
    expect((await call(a, {}, "GET", "/api/auth/bootstrap-status")).body.needsClaim).toBe(false);
    const { rows } = await a.db.pool.query("SELECT email, role FROM users ORDER BY created_at");
    expect(rows).toEqual([
      { email: "first@example.org", role: "admin" },
      { email: "second@example.org", role: "user" },
    ]);
  });

  it("lets only one of many concurrent claims become admin", async () => {
    const a = await app({ SIGNUP_MODE: "open", SIGNUP_BURST: "100" });
    const emails = Array.from({ length: 8 }, (_, i) => `racer-${i}@example.org`);
    const results = await Promise.all(emails.map((e) => signup(a, e)));
    expect(results.map((r) => r.status)).toEqual(emails.map(() => 202));
    const { rows } = await a.db.pool.query(
      "SELECT role, count(*)::int AS n FROM users GROUP BY role ORDER BY role",
    );
    expect(rows).toEqual([
      { role: "admin", n: 1 },
      { role: "user", n: 7 },
    ]);
    const audit = await a.db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'platform.claimed'",
    );
    expect(audit.rows[0].n).toBe(1);
  });
});

describe("bootstrap admin from the environment", () => {
  it("creates the admin at first boot only, then ignores the variables with a warning", async () => {
    const a = await app();
    const env = {
      NORA_BOOTSTRAP_ADMIN_EMAIL: "Root@Example.org",
      NORA_BOOTSTRAP_ADMIN_PASSWORD: "a strong bootstrap pass",
    };
    const logs = new LogCapture();
    const service = () =>
      createAuthService({
        config: testConfig({ DATABASE_URL: a.db.url, ...env }),
        pool: a.db.pool,
        redis: a.redis,
        logger: createLogger({ service: "api", level: "info", destination: logs }),
      });
    expect(await service().ensureBootstrapAdmin()).toBe("created");
    expect(await login(a, "root@example.org", "a strong bootstrap pass")).toMatch(/nora_session=/);
    expect(await service().ensureBootstrapAdmin()).toBe("ignored");
    expect(logs.text).toContain("ignored because users exist; unset them");
    expect(logs.text).not.toContain("a strong bootstrap pass");
    const { rows } = await a.db.pool.query("SELECT email, role FROM users");
    expect(rows).toEqual([{ email: "root@example.org", role: "admin" }]);
  });

  it.each([
    [
      { NORA_BOOTSTRAP_ADMIN_EMAIL: "root@example.org", NORA_BOOTSTRAP_ADMIN_PASSWORD: "short" },
      /at least 12/,
    ],
    [
      {
        NORA_BOOTSTRAP_ADMIN_EMAIL: "root@example.org",
        NORA_BOOTSTRAP_ADMIN_PASSWORD: "change-me-please-now",
      },
      /placeholder/,
    ],
    [
      {
        NORA_BOOTSTRAP_ADMIN_EMAIL: "not-an-email",
        NORA_BOOTSTRAP_ADMIN_PASSWORD: "a strong bootstrap pass",
      },
      /not an email/,
    ],
    [{ NORA_BOOTSTRAP_ADMIN_EMAIL: "root@example.org" }, /must be set together/],
  ])("refuses a bad bootstrap configuration %o", (env, reason) => {
    expect(() => testConfig(env)).toThrow(reason);
  });
});

describe("signup abuse controls", () => {
  it("enforces the burst and the daily limit per IP", async () => {
    const a = await app({
      SIGNUP_MODE: "open",
      SIGNUP_BURST: "2",
      SIGNUP_PER_HOUR: "1",
      SIGNUP_DAILY_LIMIT: "100",
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signup(a, `burst-${i}@example.org`)).status);
    expect(statuses).toEqual([202, 202, 429]);
    // Another client address has its own budget (one trusted proxy hop).
    expect((await signup(a, "other@example.org", {}, { "x-forwarded-for": "198.51.100.7" })).status).toBe(
      202,
    );

    const daily = await app({
      SIGNUP_MODE: "open",
      SIGNUP_BURST: "100",
      SIGNUP_PER_HOUR: "100000",
      SIGNUP_DAILY_LIMIT: "2",
    });
    const dailyStatuses = [];
    for (let i = 0; i < 3; i++) dailyStatuses.push((await signup(daily, `day-${i}@example.org`)).status);
    expect(dailyStatuses).toEqual([202, 202, 429]);
    const { rows } = await daily.db.pool.query("SELECT count(*)::int AS n FROM users");
    expect(rows[0].n).toBe(2);
  });
});

/** A local server speaking the Turnstile/reCAPTCHA siteverify protocol (the real ones are unreachable here). */
async function fakeSiteverify(): Promise<{
  url: string;
  requests: URLSearchParams[];
  close: () => Promise<void>;
}> {
  const requests: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      const ok = form.get("secret") === "captcha-secret" && form.get("response") === "good-token";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          ok ? { success: true } : { success: false, "error-codes": ["invalid-input-response"] },
        ),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/siteverify`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe("captcha", () => {
  it.each(["turnstile", "recaptcha"])(
    "verifies the %s token with the provider before creating the account",
    async (provider) => {
      const verify = await fakeSiteverify();
      try {
        const a = await app({
          CAPTCHA_PROVIDER: provider,
          CAPTCHA_SITE_KEY: "site-key",
          CAPTCHA_SECRET_KEY: "captcha-secret",
          CAPTCHA_VERIFY_URL: verify.url,
          SIGNUP_BURST: "100",
        });
        const status = await call(a, {}, "GET", "/api/auth/bootstrap-status");
        expect(status.body.captcha).toEqual({ provider, siteKey: "site-key" });
        expect(JSON.stringify(status.body)).not.toContain("captcha-secret");

        const missing = await signup(a, "nocaptcha@example.org");
        expect(missing.status).toBe(400);
        const bad = await signup(a, "bad@example.org", { captchaToken: "bad-token" });
        expect(bad.status).toBe(400);
        expect(((await bad.json()) as { error: string }).error).toBe("captcha_failed");
        const good = await signup(a, "good@example.org", { captchaToken: "good-token" });
        expect(good.status).toBe(202);
        const { rows } = await a.db.pool.query("SELECT email FROM users");
        expect(rows).toEqual([{ email: "good@example.org" }]);
        expect(verify.requests.at(-1)?.get("remoteip")).toBe("127.0.0.1");
      } finally {
        await verify.close();
      }
    },
  );

  it("fails closed when the provider cannot be reached", async () => {
    const a = await app({
      CAPTCHA_PROVIDER: "turnstile",
      CAPTCHA_SITE_KEY: "site-key",
      CAPTCHA_SECRET_KEY: "captcha-secret",
      CAPTCHA_VERIFY_URL: "http://127.0.0.1:9/siteverify",
    });
    const res = await signup(a, "x@example.org", { captchaToken: "good-token" });
    expect(res.status).toBe(503);
    expect((await a.db.pool.query("SELECT count(*)::int AS n FROM users")).rows[0].n).toBe(0);
  });

  it("is off when no provider is configured", async () => {
    const a = await app();
    expect((await signup(a, "free@example.org")).status).toBe(202);
  });
});

describe("insecure cookies for plain-HTTP localhost", () => {
  it("drops Secure and the __Host- prefix only when NORA_INSECURE_COOKIES=true", async () => {
    const a = await app({ NORA_INSECURE_COOKIES: "true" });
    await signup(a, "local@example.org");
    const res = await fetch(`${a.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "local@example.org", password: PASSWORD }),
    });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^nora_session=/);
    expect(cookie).not.toMatch(/Secure/);
    expect(a.config.warnings.join("\n")).toMatch(/NORA_INSECURE_COOKIES=true/);
  });
});
