import { AppError } from "../errors/app-error.js";
import type { Logger } from "../logging/logger.js";
import { CryptoError, type SealContext } from "./envelope.js";
import type { Keyring } from "./keyring.js";

export interface Unsealed {
  value: string;
  /** The stored value had no envelope (accepted only under NORA_ALLOW_PLAINTEXT_SECRETS); re-seal it. */
  legacyPlaintext: boolean;
}

/**
 * The one way to open a stored secret. A value that does not open (tampered, moved, unknown key,
 * not an envelope) becomes `409 secret_unreadable`, never a 500 and never a fallback to the stored
 * bytes. The message and the optional log line name the column and the failure class, never the value.
 */
export function openSealed(
  keyring: Keyring,
  stored: string,
  ctx: SealContext,
  log?: Pick<Logger, "warn">,
): Unsealed {
  try {
    const opened = keyring.open(stored, ctx);
    return { value: opened.value, legacyPlaintext: opened.legacyPlaintext };
  } catch (error) {
    if (error instanceof CryptoError) {
      log?.warn(
        { table: ctx.table, column: ctx.column, rowId: ctx.rowId, reason: error.code },
        "a stored secret cannot be decrypted with the configured keys",
      );
      throw new AppError(
        409,
        "secret_unreadable",
        "The stored secret cannot be decrypted with the configured keys; set it again",
      );
    }
    throw error;
  }
}

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
