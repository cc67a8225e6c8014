import type { Config, Pool } from "@nora/core";
import { hashApiKey, looksLikeApiKey } from "../api-keys/key-format.js";
import { keyForAuthByHash, recordKeyUse } from "../api-keys/service.js";
import { findLiveSession, touchSession } from "./repo.js";
import { verifySessionToken } from "./session-token.js";

export type { KeyForAuth } from "../api-keys/service.js";
export type { LiveSession } from "./repo.js";

/**
 * What the API's authentication step reads on every request: sessions by token, keys by hash, each
 * with everything its validity depends on. Validity itself is judged by the caller at the moment of use
 * (`keyUsableAt`, `sessionUsableAt`), so a cached lookup and a fresh one are judged alike.
 */
export function createAuthenticationService(deps: { config: Config; pool: Pool }) {
  const { config, pool } = deps;
  return {
    /** The HMAC under which a presented key is stored; undefined for a value that is not a key. */
    hashPresentedKey(key: string): Buffer | undefined {
      return looksLikeApiKey(key) ? hashApiKey(key, config.identity.apiKeyHashKey) : undefined;
    },
    keyByHash: (keyHash: Buffer) => keyForAuthByHash(pool, keyHash),
    /** Written at most once a minute per key (the repo's condition). */
    touchKey: (keyId: string) => recordKeyUse(pool, keyId),
    /** The live session a signed session token names; undefined when the signature or session fails. */
    async sessionForToken(token: string) {
      const claims = verifySessionToken(config, token);
      return claims ? findLiveSession(pool, claims.sid, claims.sub) : undefined;
    },
    /** Slides the session's idle expiry (never past its absolute one). */
    touchSession: (sessionId: string) => touchSession(pool, sessionId, config.identity.sessionIdleTimeoutMs),
  };
}

export type AuthenticationService = ReturnType<typeof createAuthenticationService>;
