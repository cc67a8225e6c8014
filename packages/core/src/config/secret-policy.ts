import { ConfigError } from "./env.js";

/** Values that appear in .env.example or in tutorials: never acceptable as a production secret. */
const PLACEHOLDER_SECRETS = new Set(
  [
    "changeme",
    "change-me",
    "change_me",
    "changeit",
    "secret",
    "password",
    "jwt_secret",
    "jwt-secret",
    "mysecret",
    "supersecret",
    "your-secret",
    "your_secret",
    "your-secret-here",
    "replace-me",
    "replace_me",
    "example",
    "default",
    "test",
    "development",
    "insecure",
  ].map((v) => v.toLowerCase()),
);

/** Substrings that mark a value as copied from documentation rather than generated. */
const PLACEHOLDER_MARKERS = [
  "change-me",
  "changeme",
  "change_me",
  "replace-me",
  "replace_me",
  "generate-with",
  "placeholder",
  "example",
];

export function isPlaceholderSecret(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (PLACEHOLDER_SECRETS.has(lower)) return true;
  if (PLACEHOLDER_MARKERS.some((marker) => lower.includes(marker))) return true;
  if (/^(.)\1*$/.test(lower)) return true; // one repeated character
  if (/^(.{1,4})\1+$/.test(lower)) return true; // a short repeated pattern: abcabcabc, 0123 0123
  const distinct = new Set(lower).size;
  return distinct < 8;
}

/** Reason a signing/HMAC secret is unfit for production, or null when it is acceptable. */
export function strongSecretProblem(name: string, value: string | undefined): string | null {
  if (value === undefined || value === "") return `${name} is missing`;
  if (value.length < 32) return `${name} is too short (${value.length} characters; at least 32 required)`;
  if (isPlaceholderSecret(value)) {
    return `${name} is a placeholder or low-entropy value; generate one with \`openssl rand -hex 32\``;
  }
  return null;
}

export const jwtSecretProblem = (value: string | undefined) => strongSecretProblem("JWT_SECRET", value);

/** Decodes a 32-byte key given as 64 hex characters or as base64/base64url; null when malformed. */
export function decodeEncryptionKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === 32) return bytes;
  }
  return null;
}

export function encryptionKeyProblem(value: string | undefined): string | null {
  if (value === undefined || value === "") return "ENCRYPTION_KEY is missing";
  const key = decodeEncryptionKey(value);
  if (!key)
    return "ENCRYPTION_KEY must be 32 bytes: 64 hex characters or base64 (generate with `openssl rand -hex 32`)";
  if (isPlaceholderSecret(value) || new Set(key).size < 8)
    return "ENCRYPTION_KEY is a placeholder or low-entropy value";
  return null;
}

export interface SecretCheckOutcome {
  warnings: string[];
}

/** Enforces the production secret policy; throws ConfigError with a one-line reason. */
export function enforceProductionSecrets(input: {
  jwtSecret: string | undefined;
  encryptionKey: string | undefined;
  allowPlaintextSecrets: boolean;
  /** Optional HMAC secrets: checked only when set (unset ones are derived from JWT_SECRET). */
  optionalSecrets: Record<string, string | undefined>;
}): SecretCheckOutcome {
  const jwtProblem = jwtSecretProblem(input.jwtSecret);
  if (jwtProblem) throw new ConfigError(jwtProblem);
  for (const [name, value] of Object.entries(input.optionalSecrets)) {
    const problem = value ? strongSecretProblem(name, value) : null;
    if (problem) throw new ConfigError(problem);
  }
  const warnings: string[] = [];
  const keyProblem = encryptionKeyProblem(input.encryptionKey);
  if (keyProblem) {
    if (!input.allowPlaintextSecrets) throw new ConfigError(keyProblem);
    warnings.push(
      `INSECURE: ${keyProblem}, but NORA_ALLOW_PLAINTEXT_SECRETS=true lets Nora start: unsealed legacy secrets are NOT encrypted and new secrets cannot be stored. Set a real ENCRYPTION_KEY and unset NORA_ALLOW_PLAINTEXT_SECRETS.`,
    );
  }
  return { warnings };
}
