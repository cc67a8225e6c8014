/**
 * Account pre-hijack through OAuth linking, and the deliberate linking that replaces it, end to end
 * through the real app, PostgreSQL and Redis. The providers are the local stand-ins of oauth-fakes.ts
 * (GitHub and Google cannot be reached from here): "Google" is the real oidc-provider on loopback,
 * "GitHub" a small server speaking GitHub's OAuth wire protocol.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createUser, login, ORIGIN, PASSWORD } from "./identity.js";
import {
  Browser,
  type FakeGitHub,
  type FakeGoogle,
  PUBLIC_ORIGIN,
  startFakeGitHub,
  startFakeGoogle,
} from "./oauth-fakes.js";

let google: FakeGoogle;
let github: FakeGitHub;
let app: TestApp;

type ProviderName = "github" | "google";
const PROVIDERS: ProviderName[] = ["github", "google"];

let serial = 0;
/** Makes the provider's next sign-in this person; returns the provider's subject for them. */
function providerPerson(provider: ProviderName, email: string, verified = true): string {
  serial += 1;
  if (provider === "google") {
    const id = `google-link-${serial}-${randomBytes(3).toString("hex")}`;
    google.accounts.set(id, { email, email_verified: verified, name: `Person ${serial}` });
    google.next = id;
    return id;
  }
  const id = 5000 + serial;
  const loginName = `octo-link-${id}`;
  github.users.set(loginName, {
    id,
    login: loginName,
    name: null,
    emails: [{ email, primary: true, verified }],
  });
  github.next = loginName;
  return String(id);
}

async function identitiesOf(userId: string) {
  const { rows } = await app.db.pool.query<{ provider: string; subject: string }>(
    "SELECT provider, subject FROM user_identities WHERE user_id = $1 ORDER BY created_at",
    [userId],
  );
  return rows;
}

async function actions() {
  const { rows } = await app.db.pool.query<{ action: string; metadata: Record<string, unknown> }>(
    "SELECT action, metadata FROM audit_log ORDER BY id",
  );
  return rows;
}

/** Password signup through the API, as an attacker would do it, then a password login. */
async function signUpWithPassword(email: string): Promise<{ id: string; cookie: string }> {
  const res = await call(app, { cookie: "x=y" }, "POST", "/api/auth/signup", { email, password: PASSWORD });
  expect(res.status).toBe(202);
  const cookie = await login(app, email);
  const me = await call(app, { cookie }, "GET", "/api/auth/me");
  return { id: (me.body.user as { id: string }).id, cookie };
}

beforeAll(async () => {
  [google, github] = await Promise.all([startFakeGoogle(), startFakeGitHub()]);
});
afterAll(async () => {
  await Promise.all([google?.close(), github?.close()]);
});
beforeEach(async () => {
  app = await startTestApp({
    env: {
      ...NO_RATE_LIMITS,
      // Self-service signup after the claim: the mode in which an unverified address can exist at all.
      SIGNUP_MODE: "open",
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      GITHUB_OAUTH_URL: github.url,
      GITHUB_API_URL: github.apiUrl,
      GOOGLE_CLIENT_ID: google.clientId,
      GOOGLE_CLIENT_SECRET: google.clientSecret,
      GOOGLE_ISSUER_URL: google.issuer,
    },
  });
  // The server is claimed already: every account below is a regular one.
  await createUser(app, { role: "admin" });
});
afterEach(async () => {
  await app.close();
});

describe("account pre-hijack through OAuth sign-in", () => {
  it.each(PROVIDERS)(
    "fails with %s: the attacker's unverified password account is never merged with the owner's identity",
    async (provider) => {
      const victimEmail = `victim-${provider}-${randomBytes(3).toString("hex")}@example.org`;
      // 1. The attacker signs up with the victim's address and their own password, and stays signed in.
      const attacker = await signUpWithPassword(victimEmail);

      // 2. The real owner signs in with the provider, which has verified the address.
      const subject = providerPerson(provider, victimEmail);
      const owner = new Browser(app.url);
      expect(await owner.signIn(provider)).toBe(
        `${PUBLIC_ORIGIN}/login?error=oauth_link_required&provider=${provider}`,
      );

      // 3. Nothing was merged: the owner got no session into the attacker's account, the identity is not
      // linked, the account is still unverified, and no account was created beside it.
      expect(owner.sessionCookie(app)).toBeUndefined();
      expect(await identitiesOf(attacker.id)).toEqual([]);
      const { rows } = await app.db.pool.query(
        "SELECT count(*)::int AS n, bool_or(email_verified) AS verified FROM users WHERE email = $1",
        [victimEmail],
      );
      expect(rows[0]).toEqual({ n: 1, verified: false });
      expect((await actions()).map((a) => a.action)).not.toContain("auth.oauth.linked");

      // 4. The provider identity still signs nobody into the attacker's account later on.
      providerPerson(provider, victimEmail);
      const again = new Browser(app.url);
      expect(await again.signIn(provider)).toMatch(/\/login\?error=oauth_link_required/);
      expect(await identitiesOf(attacker.id)).toEqual([]);
      expect(subject).toBeTruthy();
    },
  );

  // The whole class: an OAuth sign-in merges into an existing account by address only when both the
  // provider and the account have proven the address.
  const cases = PROVIDERS.flatMap((provider) =>
    [true, false].flatMap((accountVerified) =>
      [true, false].map((providerVerified) => ({ provider, accountVerified, providerVerified })),
    ),
  );
  it.each(cases)(
    "$provider: account verified $accountVerified, provider verified $providerVerified",
    async ({ provider, accountVerified, providerVerified }) => {
      const user = await createUser(app);
      if (accountVerified)
        await app.db.pool.query("UPDATE users SET email_verified = true WHERE id = $1", [user.id]);
      providerPerson(provider, user.email, providerVerified);
      const browser = new Browser(app.url);
      const landed = await browser.signIn(provider);
      const merged = accountVerified && providerVerified;
      if (merged) {
        expect(landed).toBe(`${PUBLIC_ORIGIN}/app`);
        const me = await call(app, { cookie: browser.sessionCookie(app) as string }, "GET", "/api/auth/me");
        expect((me.body.user as { id: string }).id).toBe(user.id);
        expect(await identitiesOf(user.id)).toHaveLength(1);
      } else {
        expect(landed).toMatch(
          providerVerified ? /\/login\?error=oauth_link_required/ : /\/login\?error=oauth_email_unverified/,
        );
        expect(browser.sessionCookie(app)).toBeUndefined();
        expect(await identitiesOf(user.id)).toEqual([]);
      }
      const { rows } = await app.db.pool.query("SELECT email_verified FROM users WHERE id = $1", [user.id]);
      expect(rows[0].email_verified).toBe(accountVerified);
      // The password keeps working either way.
      await login(app, user.email);
    },
  );

  it("counts the account that claims the server through signup as verified", async () => {
    const fresh = await startTestApp({ env: { ...NO_RATE_LIMITS, SIGNUP_MODE: "open" } });
    try {
      const res = await fetch(`${fresh.url}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN },
        body: JSON.stringify({ email: "owner@example.org", password: PASSWORD }),
      });
      expect(res.status).toBe(202);
      const { rows } = await fresh.db.pool.query("SELECT role, email_verified FROM users");
      expect(rows).toEqual([{ role: "admin", email_verified: true }]);
    } finally {
      await fresh.close();
    }
  });
});

const SETTINGS = `${PUBLIC_ORIGIN}/app/settings/account`;
/** Stops at the first page of the dashboard or the login page (never requested). */
const isPage = (u: URL) => u.origin === PUBLIC_ORIGIN && !u.pathname.startsWith("/api/");
const sessionName = () => (app.config.identity.secureCookies ? "__Host-nora_session" : "nora_session");

/** A browser signed in with a password, as the account settings page would be. */
async function signedInBrowser(email: string): Promise<Browser> {
  const browser = new Browser(app.url);
  browser.adopt(PUBLIC_ORIGIN, await login(app, email));
  return browser;
}

/** Starts a link from settings and walks the provider part; returns the callback URL. */
async function startLink(browser: Browser, provider: ProviderName): Promise<string> {
  const res = await browser.post(`${PUBLIC_ORIGIN}/api/auth/oauth/${provider}/link`);
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const { authorizationUrl } = (await res.json()) as { authorizationUrl: string };
  const stop = await browser.follow(authorizationUrl, (u) =>
    u.pathname.endsWith(`/api/auth/oauth/${provider}/callback`),
  );
  return stop.url;
}

async function linkFromSettings(browser: Browser, provider: ProviderName): Promise<string> {
  return (await browser.follow(await startLink(browser, provider), isPage)).url;
}

describe("linking a provider from account settings", () => {
  it.each(PROVIDERS)(
    "links %s to the signed-in account, verifies its own address, and the provider then signs it in",
    async (provider) => {
      const user = await createUser(app);
      const browser = await signedInBrowser(user.email);
      const subject = providerPerson(provider, user.email);
      expect(await linkFromSettings(browser, provider)).toBe(`${SETTINGS}?linked=${provider}`);
      expect(await identitiesOf(user.id)).toEqual([{ provider, subject }]);
      const me = await call(app, { cookie: browser.sessionCookie(app) as string }, "GET", "/api/auth/me");
      expect(me.body.user).toMatchObject({ id: user.id, emailVerified: true });
      const audit = await actions();
      expect(audit).toContainEqual({ action: "auth.oauth.linked", metadata: { provider, via: "settings" } });
      expect(audit).toContainEqual({
        action: "auth.email_verified",
        metadata: { method: `oauth:${provider}` },
      });

      // The linked identity now signs the same account in.
      if (provider === "google") google.next = subject;
      else github.next = `octo-link-${subject}`;
      const later = new Browser(app.url);
      expect(await later.signIn(provider)).toBe(`${PUBLIC_ORIGIN}/app`);
      const who = await call(app, { cookie: later.sessionCookie(app) as string }, "GET", "/api/auth/me");
      expect((who.body.user as { id: string }).id).toBe(user.id);
    },
  );

  it("links an identity with another address without verifying the account's", async () => {
    const user = await createUser(app);
    const browser = await signedInBrowser(user.email);
    providerPerson("github", `someone-else-${randomBytes(3).toString("hex")}@example.org`);
    expect(await linkFromSettings(browser, "github")).toBe(`${SETTINGS}?linked=github`);
    expect(await identitiesOf(user.id)).toHaveLength(1);
    const { rows } = await app.db.pool.query("SELECT email_verified FROM users WHERE id = $1", [user.id]);
    expect(rows[0].email_verified).toBe(false);
  });

  it("fails when the callback comes with another session, or none, than the one that started it", async () => {
    const alice = await createUser(app);
    const bob = await createUser(app);
    providerPerson("google", alice.email);

    // Same browser (same flow cookie), but by the callback it is signed in as someone else.
    const browser = await signedInBrowser(alice.email);
    const callback = await startLink(browser, "google");
    browser.adopt(PUBLIC_ORIGIN, await login(app, bob.email));
    expect(await browser.landing(callback)).toBe(`${SETTINGS}?error=oauth_link_session_mismatch`);

    // Signed out in between.
    providerPerson("google", alice.email);
    const second = await signedInBrowser(alice.email);
    const secondCallback = await startLink(second, "google");
    second.drop(PUBLIC_ORIGIN, sessionName());
    expect(await second.landing(secondCallback)).toBe(`${SETTINGS}?error=oauth_link_session_mismatch`);
    expect(second.sessionCookie(app)).toBeUndefined();

    // The session that started it was revoked (a new login of the same user is another session).
    providerPerson("google", alice.email);
    const third = await signedInBrowser(alice.email);
    const thirdCallback = await startLink(third, "google");
    const started = third.sessionCookie(app) as string;
    expect((await call(app, { cookie: started }, "POST", "/api/auth/logout")).status).toBe(204);
    third.adopt(PUBLIC_ORIGIN, await login(app, alice.email));
    expect(await third.landing(thirdCallback)).toBe(`${SETTINGS}?error=oauth_link_session_mismatch`);

    // Another browser with the right user's session but not the flow cookie: the state is not theirs.
    providerPerson("google", alice.email);
    const fourth = await signedInBrowser(alice.email);
    const fourthCallback = await startLink(fourth, "google");
    const elsewhere = await signedInBrowser(alice.email);
    expect(await elsewhere.landing(fourthCallback)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);

    expect(await identitiesOf(alice.id)).toEqual([]);
    expect(await identitiesOf(bob.id)).toEqual([]);
    // A refused callback used the state up: it cannot be retried.
    expect(await browser.landing(callback)).toBe(`${PUBLIC_ORIGIN}/login?error=oauth_state_invalid`);
  });

  it("refuses an identity already linked to another account; relinking one's own is harmless", async () => {
    const owner = await createUser(app);
    const other = await createUser(app);
    const ownerBrowser = await signedInBrowser(owner.email);
    const subject = providerPerson("google", owner.email);
    expect(await linkFromSettings(ownerBrowser, "google")).toBe(`${SETTINGS}?linked=google`);

    google.next = subject;
    const otherBrowser = await signedInBrowser(other.email);
    expect(await linkFromSettings(otherBrowser, "google")).toBe(`${SETTINGS}?error=oauth_identity_in_use`);
    expect(await identitiesOf(other.id)).toEqual([]);
    expect(await identitiesOf(owner.id)).toHaveLength(1);

    google.next = subject;
    expect(await linkFromSettings(ownerBrowser, "google")).toBe(`${SETTINGS}?linked=google`);
    expect(await identitiesOf(owner.id)).toHaveLength(1);
    expect((await actions()).filter((a) => a.action === "auth.oauth.linked")).toHaveLength(1);
  });

  it("is started only by a signed-in browser session, for an enabled provider, from the app's origin", async () => {
    const user = await createUser(app);
    const cookie = await login(app, user.email);
    expect((await call(app, {}, "POST", "/api/auth/oauth/google/link")).status).toBe(401);
    expect((await call(app, { cookie }, "POST", "/api/auth/oauth/gitlab/link")).status).toBe(404);
    const noOrigin = await fetch(`${app.url}/api/auth/oauth/google/link`, {
      method: "POST",
      headers: { cookie },
    });
    expect(noOrigin.status).toBe(403);
    const foreign = await fetch(`${app.url}/api/auth/oauth/google/link`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(await app.redis.keys(`${app.config.redis.keyPrefix}:oauth:state:*`)).toEqual([]);
  });
});

describe("listing and removing linked sign-in methods", () => {
  it("never removes the last way to sign in", async () => {
    // An account created through Google: no password, one identity.
    const email = `oauth-only-${randomBytes(3).toString("hex")}@example.org`;
    providerPerson("google", email);
    const browser = new Browser(app.url);
    expect(await browser.signIn("google")).toBe(`${PUBLIC_ORIGIN}/app`);
    const cookie = browser.sessionCookie(app) as string;

    const listed = await call(app, { cookie }, "GET", "/api/auth/identities");
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ hasPassword: false });
    const identities = listed.body.identities as Array<{ id: string; provider: string; email: string }>;
    expect(identities).toEqual([
      expect.objectContaining({ provider: "google", email, createdAt: expect.any(String) }),
    ]);
    const googleId = identities[0]?.id as string;

    const refused = await call(app, { cookie }, "DELETE", `/api/auth/identities/${googleId}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: "last_sign_in_method" });

    // With GitHub linked as well, Google can go, and then GitHub is the last one.
    providerPerson("github", email);
    expect(await linkFromSettings(browser, "github")).toBe(`${SETTINGS}?linked=github`);
    const both = (await call(app, { cookie }, "GET", "/api/auth/identities")).body.identities as Array<{
      id: string;
      provider: string;
    }>;
    expect(both.map((i) => i.provider)).toEqual(["google", "github"]);
    expect((await call(app, { cookie }, "DELETE", `/api/auth/identities/${googleId}`)).status).toBe(204);
    const githubId = both[1]?.id as string;
    expect((await call(app, { cookie }, "DELETE", `/api/auth/identities/${githubId}`)).status).toBe(409);
    expect((await actions()).filter((a) => a.action === "auth.oauth.unlinked")).toEqual([
      { action: "auth.oauth.unlinked", metadata: { provider: "google" } },
    ]);
  });

  it("two concurrent removals cannot together remove the last way to sign in", async () => {
    const email = `oauth-race-${randomBytes(3).toString("hex")}@example.org`;
    providerPerson("google", email);
    const browser = new Browser(app.url);
    expect(await browser.signIn("google")).toBe(`${PUBLIC_ORIGIN}/app`);
    providerPerson("github", email);
    expect(await linkFromSettings(browser, "github")).toBe(`${SETTINGS}?linked=github`);
    const cookie = browser.sessionCookie(app) as string;
    const ids = (
      (await call(app, { cookie }, "GET", "/api/auth/identities")).body.identities as Array<{
        id: string;
      }>
    ).map((i) => i.id);
    expect(ids).toHaveLength(2);
    // Both requests arrive while the user's row is held elsewhere, so each reads its sign-in methods
    // at the same moment unless the check takes the row lock.
    const holder = await app.db.pool.connect();
    let results: Array<{ status: number }>;
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM users WHERE email = $1 FOR UPDATE", [email]);
      const pending = Promise.all(
        ids.map((id) => call(app, { cookie }, "DELETE", `/api/auth/identities/${id}`)),
      );
      await new Promise((r) => setTimeout(r, 300));
      await holder.query("COMMIT");
      results = await pending;
    } finally {
      holder.release();
    }
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    const { rows } = await app.db.pool.query(
      "SELECT count(*)::int AS n FROM user_identities i JOIN users u ON u.id = i.user_id WHERE u.email = $1",
      [email],
    );
    expect(rows[0].n).toBe(1);
  });

  it("a password account may remove its only identity; nobody removes another's", async () => {
    const user = await createUser(app);
    const other = await createUser(app);
    const browser = await signedInBrowser(user.email);
    providerPerson("github", user.email);
    expect(await linkFromSettings(browser, "github")).toBe(`${SETTINGS}?linked=github`);
    const cookie = browser.sessionCookie(app) as string;
    const listed = await call(app, { cookie }, "GET", "/api/auth/identities");
    expect(listed.body.hasPassword).toBe(true);
    const id = (listed.body.identities as Array<{ id: string }>)[0]?.id as string;

    const otherCookie = await login(app, other.email);
    expect((await call(app, { cookie: otherCookie }, "DELETE", `/api/auth/identities/${id}`)).status).toBe(
      404,
    );
    expect((await call(app, {}, "DELETE", `/api/auth/identities/${id}`)).status).toBe(401);
    expect((await call(app, { cookie }, "DELETE", "/api/auth/identities/not-a-uuid")).status).toBe(400);
    expect(await identitiesOf(user.id)).toHaveLength(1);

    expect((await call(app, { cookie }, "DELETE", `/api/auth/identities/${id}`)).status).toBe(204);
    expect(await identitiesOf(user.id)).toEqual([]);
    expect((await call(app, { cookie }, "DELETE", `/api/auth/identities/${id}`)).status).toBe(404);
    await login(app, user.email, PASSWORD);
  });
});
