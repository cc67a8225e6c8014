import { type RateLimitRule, type Redis, refundToken, takeToken } from "@nora/core";
import type { ClientRateLimitInfo, Store } from "express-rate-limit";

/**
 * express-rate-limit's Store over our Redis token bucket (@nora/core redis/token-bucket.ts), so the library keeps its
 * headers, key generation and checks while the limit stays a sustained rate with a burst, shared by
 * every replica. The library counts hits against `limit` (the burst); a bucket holds tokens, so a hit
 * is reported as the capacity in use:
 * - allowed: `totalHits` = burst − tokens left (1..burst), `resetTime` = when the bucket is full again;
 * - refused: `totalHits` = burst + 1 (over the limit), `resetTime` = when the next token arrives,
 *   which the library turns into `Retry-After`.
 * Redis failures reach `unavailable`, which says what to throw.
 */
export class TokenBucketStore implements Store {
  readonly localKeys = false;

  constructor(
    private readonly redis: Redis,
    /** The Redis key of a client's bucket is the prefix and its key; the library reads it too. */
    readonly prefix: string,
    private readonly rule: RateLimitRule,
    private readonly unavailable: (error: unknown) => Error,
  ) {}

  async increment(key: string): Promise<ClientRateLimitInfo> {
    let outcome: Awaited<ReturnType<typeof takeToken>>;
    try {
      outcome = await takeToken(this.redis, this.prefix + key, this.rule);
    } catch (error) {
      throw this.unavailable(error);
    }
    const now = Date.now();
    return outcome.allowed
      ? { totalHits: this.rule.burst - outcome.remaining, resetTime: new Date(now + outcome.fullInMs) }
      : { totalHits: this.rule.burst + 1, resetTime: new Date(now + outcome.retryAfterMs) };
  }

  async decrement(key: string): Promise<void> {
    await refundToken(this.redis, this.prefix + key, this.rule);
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
