import { AppError, type Config } from "@nora/core";
import type { RequestHandler } from "express";
import { readSessionCookie } from "../http/session-cookie.js";

/**
 * Cross-site WebSocket hijacking: a browser sends the session cookie with an upgrade from any page,
 * and the same-origin policy does not apply to WebSockets. So a cookie counts only with an `Origin`
 * that is ours (PUBLIC_URL's, CORS_ORIGINS); browsers always send one on an upgrade, so a cookie
 * without it is refused too. An API key (`Authorization: Bearer`, which no page can attach to a
 * browser WebSocket) needs no Origin.
 */
export function requireOwnOriginForCookies(config: Config): RequestHandler {
  const allowed = new Set(config.api.corsOrigins.map((o) => new URL(o).origin));
  const publicOrigin = new URL(config.api.publicUrl).origin;
  return (req, _res, next) => {
    if (req.headers.authorization !== undefined) return next();
    if (readSessionCookie(config, req) === undefined) return next();
    const origin = req.get("origin");
    if (origin === undefined) {
      return next(
        new AppError(403, "origin_missing", "A stream opened with the session cookie must carry an Origin"),
      );
    }
    if (!allowed.has(origin)) {
      return next(
        new AppError(
          403,
          "origin_not_allowed",
          `Streams open only from this server's pages (${publicOrigin}); set PUBLIC_URL or CORS_ORIGINS`,
        ),
      );
    }
    next();
  };
}
