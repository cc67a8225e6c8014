import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "@nora/core";
import { z } from "zod";
import { PROVIDER_NAMES, type ProviderName } from "./providers/types.js";

/** How long a started sign-in may take at the provider before its state expires. */
export const STATE_TTL_SECONDS = 600;

/** What the callback needs to finish a flow the start route began. */
export interface PendingFlow {
  provider: ProviderName;
  state: string;
  codeVerifier: string;
  nonce?: string;
  /** SHA-256 of the browser binding (the value of the HttpOnly flow cookie). */
  bindingHash: string;
  /** Set when a signed-in user links a provider: their id and the SHA-256 of the session that asked. */
  link?: { userId: string; sessionHash: string };
}

const pendingFlow = z.strictObject({
  provider: z.enum(PROVIDER_NAMES),
  state: z.string().min(1),
  codeVerifier: z.string().min(43).max(128),
  nonce: z.string().min(1).optional(),
  bindingHash: z.string().regex(/^[0-9a-f]{64}$/),
  link: z
    .strictObject({ userId: z.string().uuid(), sessionHash: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional(),
});

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** A fresh random browser binding (the flow cookie's value). */
export const newBinding = () => randomBytes(32).toString("base64url");

/** Cookie values that could be a binding; anything else is ignored and replaced. */
export const isBinding = (value: string | undefined): value is string =>
  value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);

export const bindingHash = (binding: string) => sha256(binding);

/** Constant-time comparison of a stored SHA-256 (hex) with the value presented now. */
export function hashMatches(storedHash: string, value: string): boolean {
  const a = Buffer.from(storedHash, "hex");
  const b = Buffer.from(sha256(value), "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time comparison of a stored binding hash with the binding a browser presents. */
export function bindingMatches(storedHash: string, binding: string | undefined): boolean {
  return isBinding(binding) && hashMatches(storedHash, binding);
}

/**
 * Pending flows in Redis, keyed by a hash of their state, for STATE_TTL_SECONDS. `take` reads and
 * deletes in one command (GETDEL), so a state is good for one callback only, whoever presents it.
 */
export function createStateStore(redis: Redis, keyPrefix: string) {
  const key = (state: string) => `${keyPrefix}:oauth:state:${sha256(state)}`;
  return {
    async save(flow: PendingFlow): Promise<void> {
      const ok = await redis.set(key(flow.state), JSON.stringify(flow), "EX", STATE_TTL_SECONDS, "NX");
      if (ok !== "OK") throw new Error("OAuth state collision");
    },

    async take(state: string): Promise<PendingFlow | undefined> {
      const raw = await redis.getdel(key(state));
      if (!raw) return undefined;
      const parsed = pendingFlow.safeParse(JSON.parse(raw));
      return parsed.success ? (parsed.data as PendingFlow) : undefined;
    },
  };
}

export type StateStore = ReturnType<typeof createStateStore>;
