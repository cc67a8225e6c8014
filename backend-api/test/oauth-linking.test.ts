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
    const fresh = await startTestApp({ env: NO_RATE_LIMITS });
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
