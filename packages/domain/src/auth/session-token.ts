import type { Config } from "@nora/core";
import jwt from "jsonwebtoken";

interface SessionClaims {
  sid: string;
  sub: string;
}

export function signSessionToken(config: Config, claims: SessionClaims, expiresAt: Date): string {
  return jwt.sign({ sid: claims.sid }, config.identity.jwtSecret, {
    algorithm: "HS256",
    subject: claims.sub,
    expiresIn: Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000)),
  });
}

/** The session id and user id from a valid token, or null for anything forged, expired or malformed. */
export function verifySessionToken(config: Config, token: string): SessionClaims | null {
  try {
    const payload = jwt.verify(token, config.identity.jwtSecret, { algorithms: ["HS256"] });
    if (typeof payload !== "object" || typeof payload.sid !== "string" || typeof payload.sub !== "string")
      return null;
    return { sid: payload.sid, sub: payload.sub };
  } catch {
    return null;
  }
}
