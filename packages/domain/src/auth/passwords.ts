import { hash, verify } from "@node-rs/argon2";
import { opaqueText } from "@nora/core";

// @node-rs/argon2's Algorithm is an ambient const enum (not importable under verbatimModuleSyntax): 2 = Argon2id.
const ARGON2ID = 2;
// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The most common passwords of 10+ characters (the length rule already excludes shorter ones). */
const COMMON_PASSWORDS = new Set([
  "1234567890",
  "12345678910",
  "123456789a",
  "0123456789",
  "0987654321",
  "1111111111",
  "1q2w3e4r5t",
  "1qaz2wsx3edc",
  "qwertyuiop",
  "qwerty1234",
  "qwerty12345",
  "asdfghjkl;",
  "password1!",
  "password12",
  "password123",
  "password1234",
  "passw0rd123",
  "iloveyou12",
  "abcdefghij",
  "abc1234567",
  "abcd123456",
  "letmein123",
  "welcome123",
  "welcome1234",
  "administrator",
  "admin12345",
  "admin123456",
  "changeme123",
  "football123",
  "baseball123",
  "princess123",
  "sunshine123",
  "monkey1234",
  "dragon1234",
  "trustno1234",
  "superman123",
  "starwars123",
  "computer123",
  "michael123",
  "whatever123",
  "q1w2e3r4t5",
  "zaq12wsxcde",
  "aaaaaaaaaa",
  "nora123456",
  "norapassword",
]);

export const passwordSchema = opaqueText({ max: 1024 })
  .min(10, "Password must be at least 10 characters")
  .max(128, "Password must be at most 128 characters")
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), "This password is too common; choose another");

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
