import type { Redis } from "@nora/core";

export interface BucketOutcome {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

/**
 * The shared Redis counters behind per-IP and per-user limits. The API injects its token bucket
 * (backend-api/src/http/token-bucket.ts) so the domain never imports the HTTP edge.
 */
export interface RateLimits {
  takeToken(redis: Redis, key: string, rule: { burst: number; perMinute: number }): Promise<BucketOutcome>;
  countInWindow(redis: Redis, key: string, windowSeconds: number): Promise<number>;
}

const unavailable = () => Promise.reject(new Error("no rate limiter in this process"));

/** Without injected limits (a worker), a limited action fails closed, as when Redis is away. */
export const NO_RATE_LIMITS: RateLimits = { takeToken: unavailable, countInWindow: unavailable };
