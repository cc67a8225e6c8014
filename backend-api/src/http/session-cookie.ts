import type { Config } from "@nora/core";
import { parse as parseCookies } from "cookie";
import type { CookieOptions, Request, Response } from "express";

/** `__Host-` pins the cookie to this host, path `/`, and Secure; without Secure it cannot be used. */
export function sessionCookieName(config: Config): string {
  return config.identity.secureCookies ? "__Host-nora_session" : "nora_session";
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
