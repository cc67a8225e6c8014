import type { Config } from "@nora/core";
import cors from "cors";
import type { RequestHandler } from "express";

/** Browsers may call the API cross-origin only from PUBLIC_URL's origin and CORS_ORIGINS. */
export function corsPolicy(config: Config): RequestHandler {
  const allowed = new Set(config.api.corsOrigins.map((o) => new URL(o).origin));
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["Content-Type", "Authorization", "X-Request-Id"],
    exposedHeaders: ["X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining", "Retry-After"],
    maxAge: 600,
  });
}
