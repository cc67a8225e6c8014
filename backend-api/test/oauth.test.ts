/**
 * OAuth sign-in, end to end, through the real app, PostgreSQL and Redis.
 *
 * GitHub and Google cannot be reached from here, so two local fakes stand in for them on 127.0.0.1:
 * - "Google" is a real OpenID Connect provider (oidc-provider, the certified implementation) on
 *   loopback: discovery, authorize (with a test interaction that signs a fixture account in and
 *   grants consent), token (PKCE S256, client_secret_post), ID token signed with RS256, userinfo.
 * - "GitHub" is a small HTTP server speaking GitHub's OAuth wire protocol: `/login/oauth/authorize`
 *   redirecting back with code and state, `POST /login/oauth/access_token` (form or JSON body, JSON
 *   answer when asked for it, errors as 200 + `{error}` like GitHub), checking the client secret
 *   and the PKCE verifier against the challenge, and the REST API's `/user` and `/user/emails`.
 *
 * A small cookie-carrying "browser" follows redirects by hand between the API and the providers.
 * The public URL (http://nora.test) is routed to the test app, as nginx would.
 */

import { randomBytes } from "node:crypto";
import { testConfig } from "@nora/core/testing";
import { buildProviders } from "@nora/domain/auth/oauth/service";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createUser, login } from "./identity.js";
import {
  Browser,
  type FakeGitHub,
  type FakeGoogle,
  type GitHubUser,
  type GoogleAccount,
  isLanding,
  PUBLIC_ORIGIN,
  startFakeGitHub,
  startFakeGoogle,
} from "./oauth-fakes.js";

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

let google: FakeGoogle;
let github: FakeGitHub;
let app: TestApp;

const providerEnv = () => ({
  ...NO_RATE_LIMITS,
  // These tests create accounts after the claim; signup-modes.test.ts covers the other modes.
  SIGNUP_MODE: "open",
  GITHUB_CLIENT_ID: github.clientId,
  GITHUB_CLIENT_SECRET: github.clientSecret,
  GITHUB_OAUTH_URL: github.url,
  GITHUB_API_URL: github.apiUrl,
  GOOGLE_CLIENT_ID: google.clientId,
  GOOGLE_CLIENT_SECRET: google.clientSecret,
  GOOGLE_ISSUER_URL: google.issuer,
});

let serial = 0;
function googleAccount(account: Partial<GoogleAccount> = {}): { id: string; email: string } {
  const id = `google-${++serial}-${randomBytes(4).toString("hex")}`;
  const email = account.email ?? `${id}@gmail.test`;
  google.accounts.set(id, { email, email_verified: true, name: `Person ${serial}`, ...account });
  google.next = id;
  return { id, email };
}

function githubUser(options: { email?: string; verified?: boolean; extra?: GitHubUser["emails"] } = {}) {
  const id = 1000 + ++serial;
  const login = `octo${id}`;
  const email = options.email ?? `${login}@users.example`;
  github.users.set(login, {
    id,
    login,
    name: null,
    emails: [...(options.extra ?? []), { email, primary: true, verified: options.verified ?? true }],
  });
  github.next = login;
  return { id, login, email };
}

async function me(cookie: string | undefined) {
  return call(app, cookie ? { cookie } : {}, "GET", "/api/auth/me");
}

async function identities() {
  const { rows } = await app.db.pool.query<{
    userId: string;
    provider: string;
    subject: string;
    email: string;
  }>(`SELECT user_id AS "userId", provider, subject, email FROM user_identities ORDER BY created_at`);
  return rows;
}

async function auditActions() {
  const { rows } = await app.db.pool.query<{ action: string; metadata: Record<string, unknown> }>(
    "SELECT action, metadata FROM audit_log ORDER BY id",
  );
  return rows;
}

beforeAll(async () => {
  [google, github] = await Promise.all([startFakeGoogle(), startFakeGitHub()]);
});

afterAll(async () => {
  await Promise.all([google?.close(), github?.close()]);
});

beforeEach(async () => {
  app = await startTestApp({ env: providerEnv() });
});

afterEach(async () => {
  const current = app as TestApp | undefined;
  app = undefined as unknown as TestApp;
  await current?.close();
});

describe("OAuth sign-in with Google (OpenID Connect)", () => {
  it("creates the first user as platform admin, signs them in, and the session cookie works", async () => {
    const account = googleAccount();
    const browser = new Browser(app.url);

    const start = await browser.get(`${PUBLIC_ORIGIN}/api/auth/oauth/google/start`);
    expect(start.status).toBe(302);
    expect(start.headers.get("cache-control")).toBe("no-store");
    const authorize = new URL(start.headers.get("location") as string);
    expect(authorize.origin).toBe(google.issuer);
    expect(authorize.searchParams.get("response_type")).toBe("code");
    expect(authorize.searchParams.get("client_id")).toBe(google.clientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(
      `${PUBLIC_ORIGIN}/api/auth/oauth/google/callback`,
    );
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("scope")).toBe("openid email profile");
    const flowCookie = start.headers.getSetCookie().find((c) => c.startsWith("__Host-nora_oauth="));
    expect(flowCookie).toMatch(/HttpOnly/i);
    expect(flowCookie).toMatch(/SameSite=Lax/i);
    expect(flowCookie).toMatch(/Secure/i);
    expect(flowCookie).toMatch(/Max-Age=600/i);

    const landed = await browser.follow(authorize.href, isLanding);
    expect(landed.url).toBe(`${PUBLIC_ORIGIN}/app`);
    // The provider's hop through the interaction and back, then the API's callback.
    expect(browser.hops.some((h) => h.url.startsWith(`${google.issuer}/interaction/`))).toBe(true);

    const who = await me(browser.sessionCookie(app));
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({
      email: account.email,
      role: "admin",
      displayName: expect.any(String),
    });

    const { rows } = await app.db.pool.query(
      "SELECT email_verified, password_hash FROM users WHERE email = $1",
      [account.email],
    );
    expect(rows[0]).toEqual({ email_verified: true, password_hash: null });
    expect(await identities()).toEqual([
      {
        userId: (who.body.user as { id: string }).id,
        provider: "google",
        subject: account.id,
        email: account.email,
      },
    ]);
    const actions = await auditActions();
    expect(actions).toContainEqual({ action: "platform.claimed", metadata: { method: "oauth:google" } });
    expect(actions).toContainEqual({ action: "auth.login", metadata: { method: "oauth:google" } });

    const status = await call(app, {}, "GET", "/api/auth/bootstrap-status");
    expect(status.body).toMatchObject({
      needsClaim: false,
      signIn: { password: true, github: true, google: true },
    });

    // The code the provider sent is in no log line (the access log redacts it from the callback URL).
    const callbackHop = browser.hops.find((h) => h.url.includes("/api/auth/oauth/google/callback"));
    const code = new URL(callbackHop?.url as string).searchParams.get("code") as string;
    expect(code).toBeTruthy();
    expect(app.logs.text).not.toContain(code);
  });

  it("signs the same person in again through the same identity, as a regular user when users exist", async () => {
    await createUser(app, { role: "admin" });
    const account = googleAccount();
    const first = new Browser(app.url);
    expect(await first.signIn("google")).toBe(`${PUBLIC_ORIGIN}/app`);
    const firstMe = await me(first.sessionCookie(app));
    expect(firstMe.body.user).toMatchObject({ email: account.email, role: "user" });

    google.next = account.id;
    const second = new Browser(app.url);
    expect(await second.signIn("google")).toBe(`${PUBLIC_ORIGIN}/app`);
    const secondMe = await me(second.sessionCookie(app));
    expect((secondMe.body.user as { id: string }).id).toBe((firstMe.body.user as { id: string }).id);
    expect(second.sessionCookie(app)).not.toBe(first.sessionCookie(app));

    expect(await identities()).toHaveLength(1);
    const { rows } = await app.db.pool.query("SELECT count(*)::int AS n FROM users");
    expect(rows[0].n).toBe(2);
  });

  it("refuses to link an existing account when the provider has not verified the email", async () => {
    const existing = await createUser(app);
    googleAccount({ email: existing.email, email_verified: false });
    const browser = new Browser(app.url);
    expect(await browser.signIn("google")).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_email_unverified`);
    expect(browser.sessionCookie(app)).toBeUndefined();
    expect(await identities()).toEqual([]);
    const { rows } = await app.db.pool.query("SELECT email_verified FROM users WHERE id = $1", [existing.id]);
    expect(rows[0].email_verified).toBe(false);
    // The password account is untouched and still signs in.
    await login(app, existing.email);
  });

  it("creates no account for an unverified address either", async () => {
    googleAccount({ email_verified: false });
    const browser = new Browser(app.url);
    expect(await browser.signIn("google")).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_email_unverified`);
    const { rows } = await app.db.pool.query("SELECT count(*)::int AS n FROM users");
    expect(rows[0].n).toBe(0);
  });

  it("lands on the login page with oauth_denied when the person cancels at the provider", async () => {
    google.next = "deny";
    const browser = new Browser(app.url);
    expect(await browser.signIn("google")).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_denied`);
    expect(browser.sessionCookie(app)).toBeUndefined();
  });
});

describe("OAuth sign-in with GitHub (OAuth 2.0 + REST API)", () => {
  it("creates an account from the verified primary email and signs it in", async () => {
    await createUser(app, { role: "admin" });
    const person = githubUser({
      extra: [{ email: "old@users.example", primary: false, verified: true }],
    });
    const browser = new Browser(app.url);

    const start = await browser.get(`${PUBLIC_ORIGIN}/api/auth/oauth/github/start`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location") as string);
    expect(authorize.href.startsWith(`${github.url}/login/oauth/authorize?`)).toBe(true);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("nonce")).toBeNull();
    expect(authorize.searchParams.get("scope")).toBe("read:user user:email");

    const landed = await browser.follow(authorize.href, isLanding);
    expect(landed.url).toBe(`${PUBLIC_ORIGIN}/app`);
    const who = await me(browser.sessionCookie(app));
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({ email: person.email, role: "user", displayName: person.login });

    // The wire format GitHub expects.
    const token = github.seen.find((r) => r.path === "/login/oauth/access_token");
    expect(token?.accept).toContain("application/json");
    expect(token?.body).toMatchObject({
      grant_type: "authorization_code",
      client_id: github.clientId,
      redirect_uri: `${PUBLIC_ORIGIN}/api/auth/oauth/github/callback`,
    });
    for (const path of ["/api/v3/user", "/api/v3/user/emails"]) {
      expect(github.seen.find((r) => r.path === path)?.accept).toBe("application/vnd.github+json");
    }
    expect(await identities()).toEqual([
      {
        userId: (who.body.user as { id: string }).id,
        provider: "github",
        subject: String(person.id),
        email: person.email,
      },
    ]);
    const actions = await auditActions();
    expect(actions).toContainEqual({ action: "user.signed_up", metadata: { method: "oauth:github" } });
    expect(actions).toContainEqual({ action: "auth.login", metadata: { method: "oauth:github" } });

    // Codes and access tokens never reach a log line.
    for (const secret of github.issued) expect(app.logs.text).not.toContain(secret);

    // Second sign-in: the same identity, the same user.
    github.next = person.login;
    const again = new Browser(app.url);
    expect(await again.signIn("github")).toBe(`${PUBLIC_ORIGIN}/app`);
    expect(((await me(again.sessionCookie(app))).body.user as { id: string }).id).toBe(
      (who.body.user as { id: string }).id,
    );
    expect(await identities()).toHaveLength(1);
  });

  it("links to an existing password account by an address both sides verified", async () => {
    const existing = await createUser(app);
    await app.db.pool.query("UPDATE users SET email_verified = true WHERE id = $1", [existing.id]);
    const person = githubUser({ email: existing.email });
    const browser = new Browser(app.url);
    expect(await browser.signIn("github")).toBe(`${PUBLIC_ORIGIN}/app`);
    const who = await me(browser.sessionCookie(app));
    expect((who.body.user as { id: string }).id).toBe(existing.id);
    expect(await identities()).toEqual([
      { userId: existing.id, provider: "github", subject: String(person.id), email: existing.email },
    ]);
    const { rows } = await app.db.pool.query("SELECT email_verified FROM users WHERE id = $1", [existing.id]);
    expect(rows[0].email_verified).toBe(true);
    expect((await auditActions()).map((a) => a.action)).toContain("auth.oauth.linked");
    // The password still works alongside.
    await login(app, existing.email);
  });

  it("refuses to link when GitHub has not verified the primary email", async () => {
    const existing = await createUser(app);
    githubUser({
      email: existing.email,
      verified: false,
      // A verified secondary address does not count: only the verified primary one does.
      extra: [{ email: "other@users.example", primary: false, verified: true }],
    });
    const browser = new Browser(app.url);
    expect(await browser.signIn("github")).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_email_unverified`);
    expect(browser.sessionCookie(app)).toBeUndefined();
    expect(await identities()).toEqual([]);
  });

  it("refuses a disabled account", async () => {
    const existing = await createUser(app);
    await app.db.pool.query("UPDATE users SET email_verified = true WHERE id = $1", [existing.id]);
    githubUser({ email: existing.email });
    expect(await new Browser(app.url).signIn("github")).toBe(`${PUBLIC_ORIGIN}/app`);
    await app.db.pool.query("UPDATE users SET disabled_at = now() WHERE id = $1", [existing.id]);
    const browser = new Browser(app.url);
    expect(await browser.signIn("github")).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_account_disabled`);
    expect(browser.sessionCookie(app)).toBeUndefined();
  });

  it("lands on the login page with oauth_denied when the person declines", async () => {
    github.next = "deny";
    expect(await new Browser(app.url).signIn("github")).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_denied`);
  });

  it("reports a provider failure (a wrong client secret) without details", async () => {
    const other = await startTestApp({ env: { ...providerEnv(), GITHUB_CLIENT_SECRET: "not-the-secret" } });
    try {
      githubUser();
      const browser = new Browser(other.url);
      expect(await browser.signIn("github")).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_provider_error`);
      expect(browser.sessionCookie(other)).toBeUndefined();
      expect(other.logs.text).not.toContain("not-the-secret");
    } finally {
      await other.close();
    }
  });
});

describe("OAuth state", () => {
  it("is single use: replaying a callback is refused", async () => {
    githubUser();
    const browser = new Browser(app.url);
    const callback = await browser.untilCallback("github");
    expect(await browser.landing(callback)).toBe(`${PUBLIC_ORIGIN}/app`);
    const firstSession = browser.sessionCookie(app);
    expect(await browser.landing(callback)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);
    expect(browser.sessionCookie(app)).toBe(firstSession);
  });

  it("refuses a tampered or missing state", async () => {
    googleAccount();
    const browser = new Browser(app.url);
    const callback = new URL(await browser.untilCallback("google"));
    const tampered = new URL(callback);
    tampered.searchParams.set("state", `${callback.searchParams.get("state")}x`);
    expect(await browser.landing(tampered.href)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);
    const missing = new URL(callback);
    missing.searchParams.delete("state");
    expect(await browser.landing(missing.href)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);
    expect(browser.sessionCookie(app)).toBeUndefined();
    // The untouched callback still completes: a bad attempt does not consume another state.
    expect(await browser.landing(callback.href)).toBe(`${PUBLIC_ORIGIN}/app`);
  });

  it("is bound to the browser that started the flow", async () => {
    googleAccount();
    const victim = new Browser(app.url);
    const callback = await victim.untilCallback("google");

    // Another browser, with a flow cookie of its own, presents the victim's callback (login CSRF or a
    // leaked URL): refused, and no session.
    const attacker = new Browser(app.url);
    await attacker.untilCallback("github");
    expect(attacker.cookie(PUBLIC_ORIGIN, "__Host-nora_oauth")).toBeTruthy();
    expect(await attacker.landing(callback)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);
    expect(attacker.sessionCookie(app)).toBeUndefined();

    // A browser with no flow cookie at all fares no better.
    googleAccount();
    const other = new Browser(app.url);
    const secondCallback = await victim.untilCallback("google");
    expect(await other.landing(secondCallback)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);
    expect(other.sessionCookie(app)).toBeUndefined();
  });

  it("refuses a state started for another provider", async () => {
    githubUser();
    const browser = new Browser(app.url);
    const callback = new URL(await browser.untilCallback("github"));
    const crossed = new URL(`${PUBLIC_ORIGIN}/api/auth/oauth/google/callback${callback.search}`);
    expect(await browser.landing(crossed.href)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);
  });

  it("expires after ten minutes in Redis", async () => {
    githubUser();
    const browser = new Browser(app.url);
    await browser.untilCallback("github");
    const keys = await app.redis.keys(`${app.config.redis.keyPrefix}:oauth:state:*`);
    expect(keys).toHaveLength(1);
    const ttl = await app.redis.ttl(keys[0] as string);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    // The stored flow holds no state in clear in its key, and is gone once used.
    const callback = browser.hops.at(-1)?.location as string;
    expect(keys[0]).not.toContain(new URL(callback).searchParams.get("state"));
  });
});

describe("OAuth providers that are not configured", () => {
  it("answer 404 with a JSON error, and bootstrap-status says so", async () => {
    const plain = await startTestApp({ env: NO_RATE_LIMITS });
    try {
      for (const path of [
        "/api/auth/oauth/google/start",
        "/api/auth/oauth/github/start",
        "/api/auth/oauth/gitlab/start",
        "/api/auth/oauth/google/callback?code=x&state=y",
      ]) {
        const res = await fetch(plain.url + path, { redirect: "manual" });
        expect(res.status, path).toBe(404);
        expect(res.headers.get("content-type")).toMatch(/application\/json/);
        expect(await res.json()).toMatchObject({ error: "not_found" });
      }
      const status = await call(plain, {}, "GET", "/api/auth/bootstrap-status");
      expect(status.body).toMatchObject({
        needsClaim: true,
        signIn: { password: true, github: false, google: false },
      });
    } finally {
      await plain.close();
    }
  });

  it("an unknown provider is 404 even when others are enabled", async () => {
    const res = await fetch(`${app.url}/api/auth/oauth/gitlab/start`, { redirect: "manual" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});

describe("OAuth provider URLs", () => {
  const secrets = { GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret" };

  it("must be https, except on loopback (local test providers)", () => {
    expect(() =>
      buildProviders(testConfig({ ...secrets, GITHUB_OAUTH_URL: "http://github.example" })),
    ).toThrow(/GITHUB_OAUTH_URL must be an https URL/);
    expect(() => buildProviders(testConfig({ ...secrets, GITHUB_API_URL: "http://10.0.0.5:8080" }))).toThrow(
      /GITHUB_API_URL must be an https URL/,
    );
    expect(() =>
      buildProviders(
        testConfig({
          GOOGLE_CLIENT_ID: "id",
          GOOGLE_CLIENT_SECRET: "s",
          GOOGLE_ISSUER_URL: "http://accounts.example",
        }),
      ),
    ).toThrow(/GOOGLE_ISSUER_URL must be an https URL/);
    for (const host of ["127.0.0.1:9000", "localhost:9000", "[::1]:9000"]) {
      const providers = buildProviders(
        testConfig({ ...secrets, GITHUB_OAUTH_URL: `http://${host}`, GITHUB_API_URL: `http://${host}` }),
      );
      expect([...providers.keys()]).toEqual(["github"]);
    }
    expect([...buildProviders(testConfig(secrets)).keys()]).toEqual(["github"]);
    expect([...buildProviders(testConfig()).keys()]).toEqual([]);
  });
});
