import { randomUUID } from "node:crypto";
import {
  AppError,
  type Config,
  type Logger,
  type Redis,
  releaseLease,
  renewLease,
  takeLease,
} from "@nora/core";

export type StreamKind = "stream" | "terminal";

export interface StreamSlot {
  /** Gives the slot back; calling it again does nothing. */
  release(): void;
}

const LEASE_MS = 30_000;
/** A refused slot frees when one of the caller's streams ends; try again in a few seconds. */
const RETRY_AFTER_S = "5";
const RENEW_MS = 10_000;

/**
 * Per-user caps on long-lived streams (STREAMS_PER_USER_MAX) and terminals (TERMINALS_PER_USER_MAX),
 * counted across replicas as Redis leases that the holder renews while the stream lasts; a replica that
 * dies frees its slots within one lease. When Redis cannot answer, this replica counts alone (the cap
 * then holds per replica) rather than refusing every stream.
 */
export function createStreamSlots(deps: { config: Config; redis: Redis; logger: Logger }) {
  const { redis, logger } = deps;
  const caps: Record<StreamKind, number> = {
    stream: deps.config.streams.perUserMax,
    terminal: deps.config.streams.terminalsPerUserMax,
  };
  const local = new Map<string, number>();
  const keyOf = (kind: StreamKind, userId: string) =>
    `${deps.config.redis.keyPrefix}:streams:${kind}:${userId}`;

  function refuse(kind: StreamKind): never {
    const what = kind === "terminal" ? "terminals" : "streams";
    throw new AppError(
      429,
      `too_many_${what}`,
      `You have too many open ${what}; close one and try again`,
      undefined,
      { "Retry-After": RETRY_AFTER_S },
    );
  }

  /** This replica's own count, when Redis cannot answer; null when the cap is reached. */
  function takeLocal(key: string, max: number): StreamSlot | null {
    const held = local.get(key) ?? 0;
    if (held >= max) return null;
    local.set(key, held + 1);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const left = (local.get(key) ?? 1) - 1;
        if (left <= 0) local.delete(key);
        else local.set(key, left);
      },
    };
  }

  async function acquire(userId: string, kind: StreamKind): Promise<StreamSlot> {
    const max = caps[kind];
    if (max === 0) refuse(kind);
    const key = keyOf(kind, userId);
    const member = randomUUID();
    let taken: boolean;
    try {
      taken = await takeLease(redis, key, { member, max, ttlMs: LEASE_MS });
    } catch (error) {
      logger.warn({ err: error, kind }, "Redis did not answer; counting this replica's streams alone");
      return takeLocal(key, max) ?? refuse(kind);
    }
    if (!taken) refuse(kind);
    const renewal = setInterval(() => {
      renewLease(redis, key, member, LEASE_MS).catch(() => {});
    }, RENEW_MS);
    renewal.unref();
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        clearInterval(renewal);
        releaseLease(redis, key, member).catch((error: unknown) =>
          logger.warn({ err: error, kind }, "could not release a stream slot; it lapses on its own"),
        );
      },
    };
  }

  return { acquire };
}

export type StreamSlots = ReturnType<typeof createStreamSlots>;
