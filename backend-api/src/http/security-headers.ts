import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "@nora/core";
import type { RequestHandler } from "express";
import helmet, { type HelmetOptions } from "helmet";

/**
 * Nora's decisions, as helmet options; everything else is helmet's default set. The API only ever
 * answers JSON or streams, so its CSP allows nothing but itself and may be framed by nobody; HSTS
 * only when browsers reach us over TLS (terminated by nginx or a load balancer).
 */
export function helmetOptions(config: Config): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    },
    xFrameOptions: { action: "deny" },
    strictTransportSecurity: config.api.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}

/**
 * Runs helmet once against a response that only records, and returns what it set and removed. The
 * recorder has nothing but `setHeader` and `removeHeader`, so an option that would need the request
 * (a per-request nonce) fails here, at startup, instead of being frozen into every response.
 */
export function computeSecurityHeaders(options: HelmetOptions): {
  set: Map<string, string>;
  removed: string[];
} {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name, String(value));
      return recorder;
    },
    removeHeader(name: string) {
      set.delete(name);
      removed.push(name);
    },
  };
  let outcome: { error: unknown } | undefined;
  helmet(options)(
    Object.freeze({}) as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      outcome = { error };
    },
  );
  if (outcome === undefined || outcome.error !== undefined) {
    throw new Error(
      `helmet could not precompute the security headers: ${String(outcome?.error ?? "not done")}`,
    );
  }
  return { set, removed };
}

/**
 * Helmet's headers, computed once at startup and written with one call per response (helmet itself
 * runs a dozen middlewares per request), the same on every response including errors and 404s. The
 * same step says `Cache-Control: no-store`, the one place it is set: API answers are live state and
 * some carry a value shown once (a new key, an accept link), so no browser or proxy may keep one.
 */
export function securityHeaders(config: Config): RequestHandler {
  const { set, removed } = computeSecurityHeaders(helmetOptions(config));
  set.set("Cache-Control", "no-store");
  return (_req, res, next) => {
    res.setHeaders(set);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
