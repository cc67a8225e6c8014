import type { Config, Logger, RateLimitRule, Redis } from "@nora/core";
import { AppError, tooManyRequests } from "@nora/core";
import type { Request, RequestHandler } from "express";

/**
 * Token bucket in Redis: `burst` tokens, refilled at `perMinute`. Redis' own clock is used so every
 * API replica shares one bucket per client. Returns [allowed, tokens left, ms until a token].
 */
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local refill_per_ms = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * refill_per_ms)
local allowed = 0
local wait_ms = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait_ms = math.ceil((1 - tokens) / refill_per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / refill_per_ms) + 1000)
return { allowed, math.floor(tokens), wait_ms }
`;

type BucketRedis = Redis & {
  noraTokenBucket(key: string, capacity: number, refillPerMs: string): Promise<[number, number, number]>;
};

function withBucketCommand(redis: Redis): BucketRedis {
  const candidate = redis as BucketRedis;
  if (typeof candidate.noraTokenBucket !== "function") {
    redis.defineCommand("noraTokenBucket", { numberOfKeys: 1, lua: TOKEN_BUCKET });
  }
  return candidate;
}

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
      applies: (req) => req.path.startsWith("/api/auth/"),
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
  const redis = withBucketCommand(options.redis);
  const layers = options.layers ?? defaultLayers(config);
  let lastFailureLog = 0;

  return async (req, res, next) => {
    if (!config.rateLimit.enabled) return next();
    const client = req.ip ?? "unknown";
    for (const layer of layers) {
      if (!layer.applies(req)) continue;
      const { burst, perMinute } = layer.rule;
      try {
        const [allowed, remaining, waitMs] = await redis.noraTokenBucket(
          `${config.redis.keyPrefix}:rl:${layer.name}:${client}`,
          burst,
          (perMinute / 60_000).toString(),
        );
        res.setHeader("RateLimit-Limit", String(burst));
        res.setHeader("RateLimit-Remaining", String(remaining));
        if (allowed !== 1) return next(tooManyRequests(Math.max(1, Math.ceil(waitMs / 1000))));
      } catch (error) {
        if (Date.now() - lastFailureLog > 10_000) {
          lastFailureLog = Date.now();
          logger.warn({ err: error, layer: layer.name }, "rate limiter unavailable");
        }
        if (layer.failClosed) {
          return next(
            new AppError(503, "rate_limiter_unavailable", "Temporarily unavailable; try again shortly"),
          );
        }
      }
    }
    next();
  };
}
