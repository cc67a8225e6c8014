import { AppError, type Config } from "@nora/core";
import { hashesEqual } from "@nora/domain/api-keys/key-format";
import { keyUsableAt } from "@nora/domain/api-keys/usable";
import type { AuthenticationService, KeyForAuth, LiveSession } from "@nora/domain/auth/authentication";
import type { Request, RequestHandler, Response } from "express";
import type { AuthCache } from "./auth-cache.js";
import type { AuthContext } from "./auth-context.js";
import { readSessionCookie } from "./session-cookie.js";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const TOUCH_INTERVAL_MS = 60_000;

/**
 * The clock-dependent part of a session's validity, judged on every use, cached or fresh (revocation and
 * a disabled user are changes, which empty the cache; see auth-cache.ts).
 */
export function sessionUsableAt(session: LiveSession, now: number): boolean {
  return session.expiresAt.getTime() > now && session.absoluteExpiresAt.getTime() > now;
}

const invalidKey = () => new AppError(401, "invalid_api_key", "The API key is invalid, expired or revoked");

/**
 * Resolves who is calling. `Authorization: Bearer nora_…` wins over any cookie (a script's key is never
 * mixed with a browser session); otherwise the session cookie's token is verified and its session looked
 * up on every request, so logout and revocation take effect at once. Leaves `req.auth` unset for
 * anonymous callers; routes declare whether they accept them.
 */
export function authenticate(deps: {
  config: Config;
  authentication: AuthenticationService;
  cache?: AuthCache;
}): RequestHandler {
  const { config, authentication, cache } = deps;
  const allowedOrigins = new Set(config.api.corsOrigins.map((o) => new URL(o).origin));
  const publicOrigin = new URL(config.api.publicUrl).origin;

  async function fromApiKey(header: string): Promise<AuthContext> {
    const key = header.slice("Bearer ".length).trim();
    const keyHash = authentication.hashPresentedKey(key);
    if (!keyHash) throw invalidKey();
    const load = () => authentication.keyByHash(keyHash);
    const usable = (k: KeyForAuth) => keyUsableAt(k, Date.now());
    const found = cache
      ? await cache.read(cache.keys, keyHash.toString("base64"), load, usable)
      : await load();
    // The index lookup already matched the HMAC; the constant-time comparison is defence in depth.
    if (!found || !hashesEqual(found.keyHash, keyHash) || !keyUsableAt(found, Date.now())) throw invalidKey();
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      found.lastUsedAt = new Date(); // also updates the cached entry, so the write happens once a minute
      void authentication.touchKey(found.id).catch(() => {});
    }
    return {
      kind: "api_key",
      apiKeyId: found.id,
      workspaceId: found.workspaceId,
      scopes: found.scopes,
      creatorRole: found.creatorRole,
      user: { id: found.userId, email: found.email, role: found.userRole },
    };
  }

  async function lookupSession(token: string): Promise<LiveSession | undefined> {
    const load = () => authentication.sessionForToken(token);
    const usable = (s: LiveSession) => sessionUsableAt(s, Date.now());
    const session = cache ? await cache.read(cache.sessions, token, load, usable) : await load();
    return session && sessionUsableAt(session, Date.now()) ? session : undefined;
  }

  async function fromSession(token: string): Promise<AuthContext | undefined> {
    const session = await lookupSession(token);
    if (!session) return undefined;
    if (Date.now() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      session.lastSeenAt = new Date(); // also updates the cached entry
      void authentication.touchSession(session.sessionId).catch(() => {});
    }
    return {
      kind: "session",
      sessionId: session.sessionId,
      user: { id: session.userId, email: session.email, role: session.role },
    };
  }

  /**
   * CSRF: a mutating request must not come from a foreign page. Browsers send Origin on every
   * cross-site POST/PUT/PATCH/DELETE; a cookie-authenticated mutation must prove its origin.
   */
  function checkOrigin(req: Request, cookieAuthenticated: boolean): void {
    if (!MUTATING.has(req.method)) return;
    const origin = req.get("origin") ?? refererOrigin(req.get("referer"));
    if (origin !== undefined) {
      if (!allowedOrigins.has(origin)) throw originMismatch(origin, publicOrigin);
    } else if (cookieAuthenticated) {
      throw new AppError(
        403,
        "csrf_origin_missing",
        "Cookie-authenticated changes must carry an Origin header",
      );
    }
  }

  return async (req, res, next) => {
    if (cache && MUTATING.has(req.method)) invalidateBeforeResponding(req, res, cache);
    try {
      await req.authCacheSync;
      const authorization = req.get("authorization");
      if (authorization?.startsWith("Bearer ")) {
        req.auth = await fromApiKey(authorization);
        return next();
      }
      if (authorization)
        throw new AppError(401, "unsupported_authorization", "Use Authorization: Bearer nora_…");
      const token = readSessionCookie(config, req);
      const auth = token ? await fromSession(token) : undefined;
      checkOrigin(req, auth !== undefined);
      if (auth) req.auth = auth;
      next();
    } catch (error) {
      next(error);
    }
  };
}

const CHANGES_NO_ACCESS = Symbol("changes no access");

/**
 * Said by a mutating route that cannot take anyone's access away, whatever it answers: a request the
 * gateway proxy relays to an agent, a chat turn. Nothing of Nora's state that the caches hold changes
 * there, so its response does not empty every replica's cache (which would cost every agent's next
 * proxied request a fresh read, and make a POST-heavy agent API defeat the cache).
 */
export function changesNoAccess(res: Response): void {
  (res as Response & { [CHANGES_NO_ACCESS]?: true })[CHANGES_NO_ACCESS] = true;
}

/**
 * A mutation may revoke access (logout, key revoke, member removal...): before its response is written,
 * bump the shared epoch so no replica serves the old state to the caller's next request. Only a
 * successful mutation by an authenticated caller can take access away; anonymous requests (signup,
 * login), refused ones and routes that said `changesNoAccess` change no one's access, so they do not
 * empty every replica's cache.
 */
function invalidateBeforeResponding(req: Request, res: Response, cache: AuthCache): void {
  const end = res.end;
  res.end = function (this: Response, ...args: Parameters<Response["end"]>) {
    if (
      !req.auth ||
      (this.statusCode >= 400 && this.statusCode < 500) ||
      (this as Response & { [CHANGES_NO_ACCESS]?: true })[CHANGES_NO_ACCESS]
    )
      return end.apply(this, args);
    cache
      .invalidateEverywhere()
      .catch(() => {}) // Redis away: every replica then bypasses its cache (the epoch is unreadable).
      .finally(() => end.apply(this, args));
    return this;
  } as Response["end"];
}

declare module "http" {
  interface IncomingMessage {
    authCacheSync?: Promise<boolean>;
  }
}

/**
 * Starts reading the auth cache's epoch as the request arrives, so the Redis round trip overlaps (and,
 * with auto-pipelining, shares a write with) the rate limiter's. `authenticate` awaits it.
 */
export function startAuthCacheSync(cache: AuthCache | undefined): RequestHandler {
  return (req, _res, next) => {
    if (cache && (req.headers.authorization !== undefined || req.headers.cookie !== undefined)) {
      req.authCacheSync = cache.sync();
    }
    next();
  };
}

/**
 * Names the settings that fix a refused origin, for the operator whose browser is on another address
 * than PUBLIC_URL (e.g. 127.0.0.1 vs localhost). PUBLIC_URL's origin is public by definition; the
 * request's own origin is echoed only when it is a well-formed, short origin.
 */
function originMismatch(origin: string, publicOrigin: string): AppError {
  const shown = /^https?:\/\/[A-Za-z0-9.[\]:-]{1,200}$/.test(origin) ? origin : "this page's origin";
  return new AppError(
    403,
    "csrf_origin_mismatch",
    `Cross-site request refused: ${shown} is not this server's address (${publicOrigin}). If you opened ` +
      "Nora at that address, set PUBLIC_URL to it, or add it to CORS_ORIGINS, and restart the API.",
    { origin: shown, publicOrigin, settings: ["PUBLIC_URL", "CORS_ORIGINS"] },
  );
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return "invalid";
  }
}
