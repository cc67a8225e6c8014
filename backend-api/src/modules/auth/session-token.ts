import type { Config } from "@nora/core";
import { parse as parseCookies } from "cookie";
import type { CookieOptions, Request, Response } from "express";
import jwt from "jsonwebtoken";

interface SessionClaims {
  sid: string;
  sub: string;
}

/** `__Host-` pins the cookie to this host, path `/`, and Secure; without Secure it cannot be used. */
export function sessionCookieName(config: Config): string {
  return config.identity.secureCookies ? "__Host-nora_session" : "nora_session";
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

export function readSessionCookie(config: Config, req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  return parseCookies(header)[sessionCookieName(config)];
}

function cookieOptions(config: Config): CookieOptions {
  return { httpOnly: true, secure: config.identity.secureCookies, sameSite: "lax", path: "/" };
}

export function setSessionCookie(config: Config, res: Response, token: string, expiresAt: Date): void {
  res.cookie(sessionCookieName(config), token, { ...cookieOptions(config), expires: expiresAt });
}

export function clearSessionCookie(config: Config, res: Response): void {
  res.clearCookie(sessionCookieName(config), cookieOptions(config));
}
