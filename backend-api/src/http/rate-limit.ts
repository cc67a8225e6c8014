import type { Config, Logger, RateLimitRule, Redis } from "@nora/core";
import { serviceUnavailable, tooManyRequests } from "@nora/core";
import type { Request, RequestHandler } from "express";
import { takeToken } from "./token-bucket.js";

export interface RateLimitLayer {
  name: string;
  rule: RateLimitRule;
  applies: (req: Request) => boolean;
  /** When Redis cannot answer: refuse (auth) or let the request through (general traffic). */
  failClosed: boolean;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The three layers of docs/security.md: global per IP, mutating methods, and the auth routes. */
export function defaultLayers(config: Config): RateLimitLayer[] {
  return [
    { name: "global", rule: config.rateLimit.global, applies: () => true, failClosed: false },
    {
      name: "mutating",
      rule: config.rateLimit.mutating,
      applies: (req) => MUTATING.has(req.method),
      failClosed: false,
    },
    {
      name: "auth",
      rule: config.rateLimit.auth,
      // Credential endpoints: every non-GET under /api/auth/ and the OAuth hand-offs. Signed-in reads
      // (/api/auth/me, /api/auth/sessions) stay under the global limit, or a dashboard would trip it.
      applies: (req) =>
        req.path.startsWith("/api/auth/") &&
        (req.method !== "GET" || req.path.startsWith("/api/auth/oauth/")),
      failClosed: true,
    },
  ];
}

export function rateLimit(options: {
  config: Config;
  redis: Redis;
  logger: Logger;
  layers?: RateLimitLayer[];
}): RequestHandler {
  const { config, logger } = options;
  const { redis } = options;
  const layers = options.layers ?? defaultLayers(config);
  let lastFailureLog = 0;

  return async (req, res, next) => {
    if (!config.rateLimit.enabled) return next();
    const client = req.ip ?? "unknown";
    for (const layer of layers) {
      if (!layer.applies(req)) continue;
      try {
        const outcome = await takeToken(
          redis,
          `${config.redis.keyPrefix}:rl:${layer.name}:${client}`,
          layer.rule,
        );
        res.setHeader("RateLimit-Limit", String(layer.rule.burst));
        res.setHeader("RateLimit-Remaining", String(outcome.remaining));
        if (!outcome.allowed)
          return next(tooManyRequests(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))));
      } catch (error) {
        if (Date.now() - lastFailureLog > 10_000) {
          lastFailureLog = Date.now();
          logger.warn({ err: error, layer: layer.name }, "rate limiter unavailable");
        }
        if (layer.failClosed) {
          return next(
            serviceUnavailable("rate_limiter_unavailable", "Temporarily unavailable; try again shortly"),
          );
        }
      }
    }
    next();
  };
}
