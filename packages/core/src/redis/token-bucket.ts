import type { Redis } from "./connection.js";

/**
 * Token bucket in Redis: `burst` tokens, refilled at `perMinute`. Redis' own clock is used so every
 * API replica shares one bucket per key. Returns [allowed, tokens left, ms until a token, ms until full].
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
return { allowed, math.floor(tokens), wait_ms, math.ceil((capacity - tokens) / refill_per_ms) }
`;

/** Gives one token back (never beyond the capacity); a bucket that expired meanwhile is left alone. */
const REFUND_TOKEN = `
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if tokens then redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), tokens + 1))) end
return 0
`;

type BucketRedis = Redis & {
  noraTokenBucket(
    key: string,
    capacity: number,
    refillPerMs: string,
  ): Promise<[number, number, number, number]>;
  noraRefundToken(key: string, capacity: number): Promise<number>;
};

function bucketCommands(redis: Redis): BucketRedis {
  const client = redis as BucketRedis;
  if (typeof client.noraTokenBucket !== "function") {
    redis.defineCommand("noraTokenBucket", { numberOfKeys: 1, lua: TOKEN_BUCKET });
    redis.defineCommand("noraRefundToken", { numberOfKeys: 1, lua: REFUND_TOKEN });
  }
  return client;
}

export interface BucketOutcome {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
  /** Until the bucket is full again, if nothing else is taken. */
  fullInMs: number;
}

export function takeToken(
  redis: Redis,
  key: string,
  rule: { burst: number; perMinute: number },
): Promise<BucketOutcome> {
  return bucketCommands(redis)
    .noraTokenBucket(key, rule.burst, (rule.perMinute / 60_000).toString())
    .then(([allowed, remaining, waitMs, fullInMs]) => ({
      allowed: allowed === 1,
      remaining,
      retryAfterMs: waitMs,
      fullInMs,
    }));
}

export async function refundToken(redis: Redis, key: string, rule: { burst: number }): Promise<void> {
  await bucketCommands(redis).noraRefundToken(key, rule.burst);
}

/** A fixed-window counter (e.g. per day): increments and returns the count within the window. */
export async function countInWindow(redis: Redis, key: string, windowSeconds: number): Promise<number> {
  const [[, count]] = (await redis.multi().incr(key).expire(key, windowSeconds, "NX").exec()) as [
    [null, number],
  ];
  return count;
}
