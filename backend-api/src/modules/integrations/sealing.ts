import { AppError, CryptoError, type Keyring, type SealContext } from "@nora/core";

/** Seals a value; a missing ENCRYPTION_KEY becomes a 503 the operator can act on. */
export function sealOrFail(keyring: Keyring, plaintext: string, ctx: SealContext): string {
  try {
    return keyring.seal(plaintext, ctx);
  } catch (error) {
    if (error instanceof CryptoError && error.code === "no_encryption_key") {
      throw new AppError(
        503,
        "encryption_unavailable",
        "ENCRYPTION_KEY is not configured; secrets cannot be stored",
      );
    }
    throw error;
  }
}

/**
 * Opens a stored value. Failure is an error, never a fallback to the stored bytes: the caller gets a
 * 409 telling the operator to set the secret again (or restore the key that sealed it).
 */
export function openOrFail(
  keyring: Keyring,
  stored: string,
  ctx: SealContext,
): { value: string; legacyPlaintext: boolean } {
  try {
    const opened = keyring.open(stored, ctx);
    return { value: opened.value, legacyPlaintext: opened.legacyPlaintext };
  } catch (error) {
    if (error instanceof CryptoError) {
      throw new AppError(
        409,
        "secret_unreadable",
        "The stored secret cannot be decrypted with the configured keys; set it again",
      );
    }
    throw error;
  }
}

/** Whether a PostgreSQL error is a unique violation of the named constraint (or any, without a name). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint);
}
