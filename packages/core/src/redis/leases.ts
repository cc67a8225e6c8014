import type { Redis } from "./connection.js";

/**
 * Counted leases in Redis: at most `max` live members per key, shared by every replica. A member is
 * live until its expiry (Redis' own clock), which its holder pushes forward while it lasts, so a
 * replica that dies without releasing frees its slots within one lease length.
 * Returns 1 when the lease was taken, 0 when `max` live leases already exist.
 */
const TAKE_LEASE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
return 1
`;

/** Pushes a live lease's expiry forward; a lease that already expired is not revived (returns 0). */
const RENEW_LEASE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) < now then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 1
`;

type LeaseRedis = Redis & {
  noraTakeLease(key: string, max: number, member: string, ttlMs: number): Promise<number>;
  noraRenewLease(key: string, member: string, ttlMs: number): Promise<number>;
};

function leaseCommands(redis: Redis): LeaseRedis {
  const client = redis as LeaseRedis;
  if (typeof client.noraTakeLease !== "function") {
    redis.defineCommand("noraTakeLease", { numberOfKeys: 1, lua: TAKE_LEASE });
    redis.defineCommand("noraRenewLease", { numberOfKeys: 1, lua: RENEW_LEASE });
  }
  return client;
}

export async function takeLease(
  redis: Redis,
  key: string,
  lease: { member: string; max: number; ttlMs: number },
): Promise<boolean> {
  return (await leaseCommands(redis).noraTakeLease(key, lease.max, lease.member, lease.ttlMs)) === 1;
}

export async function renewLease(redis: Redis, key: string, member: string, ttlMs: number): Promise<boolean> {
  return (await leaseCommands(redis).noraRenewLease(key, member, ttlMs)) === 1;
}

export async function releaseLease(redis: Redis, key: string, member: string): Promise<void> {
  await redis.zrem(key, member);
}

/** Live leases under a key (for tests and admin views), judged by Redis' clock like the others. */
export async function countLeases(redis: Redis, key: string): Promise<number> {
  const [seconds, micros] = await redis.time();
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  return redis.zcount(key, `(${now}`, "+inf");
}
