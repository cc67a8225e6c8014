import type { Config, Logger, RateLimitRule, Redis } from "@nora/core";
import { AppError, tooManyRequests } from "@nora/core";
import type { Request, RequestHandler } from "express";
import { type RateLimitInfo, rateLimit as requestLimiter } from "express-rate-limit";
import { TokenBucketStore } from "./token-bucket-store.js";

export interface RateLimitLayer {
  name: string;
  rule: RateLimitRule;
  applies: (req: Request) => boolean;
  /** When Redis cannot answer: refuse (auth) or let the request through (general traffic). */
  failClosed: boolean;
}

/**
 * Liveness and readiness. A monitor polls them, often from one address, so no per-IP layer ever
 * counts or refuses them: a monitor must never lock itself out (or be locked out by a neighbour
 * behind the same NAT). Exactly these method and path pairs, and HEAD of them; nothing else.
 */
export const PROBE_ROUTES: ReadonlyArray<{ method: "GET"; path: string }> = [
  { method: "GET", path: "/api/health" },
  { method: "GET", path: "/api/ready" },
];

const probePaths = new Set(PROBE_ROUTES.map(({ path }) => path));
const isProbe = (req: Request) => (req.method === "GET" || req.method === "HEAD") && probePaths.has(req.path);

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

/** Thrown by a layer's store when Redis cannot answer; logged once here, at most every 10 s. */
class RateLimiterUnavailable extends AppError {
  constructor() {
    super(503, "rate_limiter_unavailable", "Temporarily unavailable; try again shortly");
  }
}

const retryAfterSeconds = (req: Request) => {
  const { resetTime } = (req as Request & { rateLimit: RateLimitInfo }).rateLimit;
  return Math.max(1, Math.ceil(((resetTime?.getTime() ?? 0) - Date.now()) / 1000));
};

/**
 * One express-rate-limit instance per layer, each on its own Redis token bucket, run in order by one
 * middleware (a pass-through when rate limiting is disabled).
 */
export function rateLimit(options: {
  config: Config;
  redis: Redis;
  logger: Logger;
  layers?: RateLimitLayer[];
}): RequestHandler {
  const { config, logger, redis } = options;
  if (!config.rateLimit.enabled) return (_req, _res, next) => next();
  let lastFailureLog = 0;
  const unavailable = (layer: string) => (error: unknown) => {
    if (Date.now() - lastFailureLog > 10_000) {
      lastFailureLog = Date.now();
      logger.warn({ err: error, layer }, "rate limiter unavailable");
    }
    return new RateLimiterUnavailable();
  };
  // The library's own diagnostics (misconfiguration checks) go to our log; store failures are logged above.
  const libraryLogger = {
    warn: (error: unknown, message?: string) => logger.warn({ err: error }, message ?? "express-rate-limit"),
    error: (error: unknown, message?: string) => {
      if (!(error instanceof RateLimiterUnavailable)) {
        logger.error({ err: error }, message ?? "express-rate-limit");
      }
    },
  };

  const layers = (options.layers ?? defaultLayers(config)).map((layer) => ({
    applies: layer.applies,
    limiter: requestLimiter({
      store: new TokenBucketStore(
        redis,
        `${config.redis.keyPrefix}:rl:${layer.name}:`,
        layer.rule,
        unavailable(layer.name),
      ),
      limit: layer.rule.burst,
      // The time a whole burst takes to refill: RateLimit-Policy then states the sustained rate.
      windowMs: Math.round((layer.rule.burst / layer.rule.perMinute) * 60_000),
      standardHeaders: "draft-6",
      legacyHeaders: false,
      passOnStoreError: !layer.failClosed,
      retryAfter: retryAfterSeconds,
      handler: (req, _res, next) => next(tooManyRequests(retryAfterSeconds(req))),
      logger: libraryLogger,
    }),
  }));

  // Which layers apply is decided here, once per request, rather than in the library's async `skip`:
  // a probe or a layer that does not apply costs nothing.
  return (req, res, next) => {
    if (isProbe(req)) return next();
    let index = 0;
    const step = (error?: unknown) => {
      if (error !== undefined) return next(error);
      while (index < layers.length) {
        const layer = layers[index++] as (typeof layers)[number];
        if (layer.applies(req)) return void layer.limiter(req, res, step);
      }
      next();
    };
    step();
  };
}
