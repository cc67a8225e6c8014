import { createHash, timingSafeEqual } from "node:crypto";
import { HttpError } from "./http.js";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/**
 * Constant-time token comparison. Hashing first gives both sides the same length, so neither the
 * length nor a common prefix of the expected token leaks through timing.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  return match?.[1] ?? null;
}

/** Throws the 401 every route but /health answers without the runtime token in the header. */
export function requireToken(authorization: string | undefined, runtimeToken: string | null): void {
  if (runtimeToken === null) {
    throw new HttpError(401, "unauthorized", "no runtime token is configured; only /health answers");
  }
  const presented = bearerToken(authorization);
  if (presented === null || !tokensEqual(presented, runtimeToken)) {
    throw new HttpError(401, "unauthorized", "missing or invalid bearer token");
  }
}
