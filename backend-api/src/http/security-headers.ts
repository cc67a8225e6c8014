import type { Config } from "@nora/core";
import type { RequestHandler } from "express";

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

/**
 * Strict headers for an API that only ever answers JSON or streams: helmet's hardened set, computed
 * once at startup and written with one call per response (helmet runs a dozen middlewares per request).
 */
export function securityHeaders(config: Config): RequestHandler {
  const headers = new Map<string, string>([
    ["Content-Security-Policy", CONTENT_SECURITY_POLICY],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["Origin-Agent-Cluster", "?1"],
    ["Referrer-Policy", "no-referrer"],
    ["X-Content-Type-Options", "nosniff"],
    ["X-DNS-Prefetch-Control", "off"],
    ["X-Download-Options", "noopen"],
    ["X-Frame-Options", "DENY"],
    ["X-Permitted-Cross-Domain-Policies", "none"],
    // Legacy XSS auditors did more harm than good; modern guidance is to switch them off.
    ["X-XSS-Protection", "0"],
  ]);
  // HSTS only when browsers reach us over TLS (terminated by nginx or a load balancer).
  if (config.api.hsts) headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return (_req, res, next) => {
    res.setHeaders(headers);
    next();
  };
}
