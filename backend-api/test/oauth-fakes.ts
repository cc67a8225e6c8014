/**
 * Local stand-ins for GitHub and Google, which cannot be reached from here, and a cookie-carrying
 * "browser" that follows redirects by hand between the API and them (see oauth.test.ts).
 * - "Google" is a real OpenID Connect provider (oidc-provider, the certified implementation) on
 *   loopback: discovery, authorize (with a test interaction that signs a fixture account in and
 *   grants consent), token (PKCE S256, client_secret_post), ID token signed with RS256, userinfo.
 * - "GitHub" is a small HTTP server speaking GitHub's OAuth wire protocol: `/login/oauth/authorize`,
 *   `POST /login/oauth/access_token` (checking the client secret and the PKCE verifier), `/user` and
 *   `/user/emails`.
 */
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { expect } from "vitest";
import type { TestApp } from "./helpers.js";

export const PUBLIC_ORIGIN = "http://nora.test";

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

export interface Hop {
  url: string;
  status: number;
  location?: string;
}

/** Follows redirects by hand, keeping cookies per host, like a browser with no JavaScript. */
export class Browser {
  readonly cookies = new Map<string, Map<string, string>>();
  readonly hops: Hop[] = [];

  constructor(private readonly appUrl: string) {}

  /** Where a URL really goes: the public origin is the app (nginx's job in production). */
  private target(url: URL): string {
    if (url.origin === PUBLIC_ORIGIN) return this.appUrl + url.pathname + url.search;
    return url.href;
  }

  private jar(url: URL): Map<string, string> {
    let jar = this.cookies.get(url.host);
    if (!jar) {
      jar = new Map();
      this.cookies.set(url.host, jar);
    }
    return jar;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.cookies.get(new URL(origin).host)?.get(name);
  }

  /** Puts a cookie ("name=value", e.g. a session from a password login) in the jar for `origin`. */
  adopt(origin: string, cookie: string): void {
    const eq = cookie.indexOf("=");
    this.jar(new URL(origin)).set(cookie.slice(0, eq), cookie.slice(eq + 1));
  }

  drop(origin: string, name: string): void {
    this.jar(new URL(origin)).delete(name);
  }

  get(href: string): Promise<Response> {
    return this.send("GET", href);
  }

  /** A same-origin POST without a body, as the page's script would send it (Origin included). */
  post(href: string): Promise<Response> {
    return this.send("POST", href);
  }

  private async send(method: string, href: string): Promise<Response> {
    const url = new URL(href);
    const jar = this.jar(url);
    const header = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(this.target(url), {
      method,
      redirect: "manual",
      headers: {
        ...(header ? { cookie: header } : {}),
        ...(method === "GET" ? {} : { origin: url.origin }),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k = "", v = ""] = a.trim().split("=");
        if (k.toLowerCase() === "max-age") return Number(v) <= 0;
        if (k.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get("location") ?? undefined;
    this.hops.push({ url: href, status: res.status, ...(location ? { location } : {}) });
    return res;
  }

  /**
   * Follows redirects from `href` until a page that is not a redirect, or until the next URL
   * matches `stopBefore` (returned without being requested).
   */
  async follow(href: string, stopBefore?: (url: URL) => boolean): Promise<{ url: string; status: number }> {
    let current = href;
    for (let i = 0; i < 20; i++) {
      if (i > 0 && stopBefore?.(new URL(current))) return { url: current, status: 0 };
      const res = await this.get(current);
      await res.arrayBuffer();
      if (res.status < 300 || res.status >= 400) return { url: current, status: res.status };
      current = new URL(res.headers.get("location") as string, current).href;
    }
    throw new Error("too many redirects");
  }

  /** The full sign-in: start at the API, through the provider, back to the API's final redirect. */
  async signIn(provider: "github" | "google"): Promise<string> {
    const final = await this.follow(`${PUBLIC_ORIGIN}/api/auth/oauth/${provider}/start`, (u) => isLanding(u));
    return final.url;
  }

  /** Walks the provider part only and returns the callback URL the provider sent the browser to. */
  async untilCallback(provider: "github" | "google"): Promise<string> {
    const stop = await this.follow(`${PUBLIC_ORIGIN}/api/auth/oauth/${provider}/start`, (u) =>
      u.pathname.endsWith(`/api/auth/oauth/${provider}/callback`),
    );
    return stop.url;
  }

  /** Requests one URL (e.g. a callback) and returns where the API sent the browser. */
  async landing(href: string): Promise<string> {
    const res = await this.get(href);
    await res.arrayBuffer();
    expect(res.status).toBe(302);
    return new URL(res.headers.get("location") as string, href).href;
  }

  sessionCookie(app: TestApp): string | undefined {
    const name = app.config.identity.secureCookies ? "__Host-nora_session" : "nora_session";
    const value = this.cookie(PUBLIC_ORIGIN, name);
    return value ? `${name}=${value}` : undefined;
  }
}

/** The dashboard or the login page: where every sign-in ends. */
export const isLanding = (u: URL) =>
  u.origin === PUBLIC_ORIGIN && (u.pathname === "/app" || u.pathname === "/login");

// ---------------------------------------------------------------------------------------------
// "Google": a real OpenID Connect provider on loopback
// ---------------------------------------------------------------------------------------------

export interface GoogleAccount {
  email: string;
  email_verified: boolean;
  name: string;
}

export interface FakeGoogle {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, GoogleAccount>;
  /** The account the next interaction signs in, or "deny" to cancel at the provider. */
  next: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const accounts = new Map<string, GoogleAccount>();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };
  const clientId = "nora-google-client";
  const clientSecret = randomBytes(24).toString("hex");

  let provider: Provider;
  let callback: ReturnType<Provider["callback"]>;
  const state = { next: "" };

  /** The test's interaction: signs the chosen account in and grants the requested scopes. */
  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (state.next === "deny") {
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The user cancelled" },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (details.prompt.name === "login") {
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: state.next } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const server = createServer((req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    callback(req, res);
  });
  const issuer = await listen(server);
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${PUBLIC_ORIGIN}/api/auth/oauth/google/callback`],
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: false } },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    // PKCE is checked whenever a challenge is sent; here it is also required of confidential clients.
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
  });
  callback = provider.callback();

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    get next() {
      return state.next;
    },
    set next(value: string) {
      state.next = value;
    },
    close: () => closeServer(server),
  };
}

// ---------------------------------------------------------------------------------------------
// "GitHub": GitHub's OAuth wire protocol and the two REST endpoints Nora reads
// ---------------------------------------------------------------------------------------------

export interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface FakeGitHub {
  url: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, GitHubUser>;
  /** The login the next authorization signs in, or "deny". */
  next: string;
  /** Every code and access token handed out (to prove none reaches a log). */
  issued: string[];
  /** Requests seen, for assertions on the wire format. */
  seen: Array<{ method: string; path: string; accept?: string; body?: Record<string, string> }>;
  close(): Promise<void>;
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(raw);
  return Object.fromEntries(new URLSearchParams(raw));
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const clientId = "Iv1.nora-test";
  const clientSecret = randomBytes(20).toString("hex");
  const users = new Map<string, GitHubUser>();
  const codes = new Map<string, { login: string; redirectUri: string; challenge: string }>();
  const tokens = new Map<string, string>();
  const fake = {
    next: "",
    issued: [] as string[],
    seen: [] as FakeGitHub["seen"],
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://github.local");
    const accept = req.headers.accept;
    const seen: FakeGitHub["seen"][number] = {
      method: req.method ?? "GET",
      path: url.pathname,
      ...(accept ? { accept } : {}),
    };
    fake.seen.push(seen);

    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const q = url.searchParams;
      const redirectUri = q.get("redirect_uri") ?? "";
      if (
        q.get("client_id") !== clientId ||
        redirectUri !== `${PUBLIC_ORIGIN}/api/auth/oauth/github/callback`
      ) {
        res.writeHead(400).end("The redirect_uri is not associated with this application.");
        return;
      }
      const back = new URL(redirectUri);
      const state = q.get("state");
      if (fake.next === "deny") {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set("error_description", "The user has denied your application access.");
      } else {
        // GitHub accepts S256 challenges only when asked for PKCE; this fake insists on it.
        const challenge = q.get("code_challenge");
        if (q.get("code_challenge_method") !== "S256" || !challenge) {
          res.writeHead(400).end("PKCE S256 required by this test server");
          return;
        }
        const code = randomBytes(10).toString("hex");
        fake.issued.push(code);
        codes.set(code, { login: fake.next, redirectUri, challenge });
        back.searchParams.set("code", code);
      }
      if (state) back.searchParams.set("state", state);
      res.writeHead(302, { location: back.href }).end();
      return;
    }

    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const body = await readBody(req);
      seen.body = body;
      const wantsJson = (accept ?? "").includes("application/json");
      const reply = (payload: Record<string, string>) => {
        if (wantsJson) json(res, 200, payload);
        else {
          res.writeHead(200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" });
          res.end(new URLSearchParams(payload).toString());
        }
      };
      // GitHub answers errors with 200 and an `error` field.
      if (body.client_id !== clientId || body.client_secret !== clientSecret) {
        reply({
          error: "incorrect_client_credentials",
          error_description: "The client_id and/or client_secret passed are incorrect.",
        });
        return;
      }
      const grant = body.code ? codes.get(body.code) : undefined;
      if (body.code) codes.delete(body.code);
      if (!grant || (body.redirect_uri !== undefined && body.redirect_uri !== grant.redirectUri)) {
        reply({
          error: "bad_verification_code",
          error_description: "The code passed is incorrect or expired.",
        });
        return;
      }
      if (!body.code_verifier || s256(body.code_verifier) !== grant.challenge) {
        reply({
          error: "invalid_grant",
          error_description: "The code_verifier does not match the challenge.",
        });
        return;
      }
      const token = `gho_${randomBytes(18).toString("hex")}`;
      fake.issued.push(token);
      tokens.set(token, grant.login);
      reply({ access_token: token, token_type: "bearer", scope: "read:user,user:email" });
      return;
    }

    const apiPath = url.pathname.replace(/^\/api\/v3/, "");
    if (req.method === "GET" && (apiPath === "/user" || apiPath === "/user/emails")) {
      const auth = req.headers.authorization ?? "";
      const login = tokens.get(auth.replace(/^(Bearer|token) /i, ""));
      const user = login ? users.get(login) : undefined;
      if (!user) {
        json(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
        return;
      }
      if (apiPath === "/user")
        json(res, 200, { id: user.id, login: user.login, name: user.name, type: "User" });
      else
        json(
          res,
          200,
          user.emails.map((e) => ({ ...e, visibility: e.primary ? "public" : null })),
        );
      return;
    }

    json(res, 404, { message: "Not Found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  const url = await listen(server);
  return {
    url,
    // GitHub Enterprise's layout, to prove the API base keeps its path.
    apiUrl: `${url}/api/v3`,
    clientId,
    clientSecret,
    users,
    get next() {
      return fake.next;
    },
    set next(value: string) {
      fake.next = value;
    },
    get issued() {
      return fake.issued;
    },
    get seen() {
      return fake.seen;
    },
    close: () => closeServer(server),
  };
}
