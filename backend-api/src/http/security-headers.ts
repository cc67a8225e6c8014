import type { Config } from "@nora/core";
import type { RequestHandler } from "express";
import helmet from "helmet";

/** Strict headers for an API that only ever answers JSON or streams. */
export function securityHeaders(config: Config): RequestHandler {
  return helmet({
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
    // HSTS only makes sense when browsers reach us over TLS (terminated by nginx or a load balancer).
    strictTransportSecurity: config.api.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: "same-origin" },
    referrerPolicy: { policy: "no-referrer" },
    xFrameOptions: { action: "deny" },
  });
}
