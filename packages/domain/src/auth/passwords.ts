import { hash, verify } from "@node-rs/argon2";

// @node-rs/argon2's Algorithm is an ambient const enum (not importable under verbatimModuleSyntax): 2 = Argon2id.
const ARGON2ID = 2;
// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as a real verification against a hash no password matches, so a login for an
 * unknown email takes as long as one with a wrong password.
 */
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword(`nora-timing-equalizer-${Math.random()}`);
  await verifyPassword(await dummyHash, password);
}
