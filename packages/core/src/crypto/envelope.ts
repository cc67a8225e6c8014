import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Sealed values: AES-256-GCM with a 96-bit random nonce per message, in a versioned envelope that
 * names the key that sealed it and binds a context (table, column, row id) as associated data:
 *
 *   nora:v1:<keyId>:<nonce, base64url>:<ciphertext || 16-byte tag, base64url>
 *
 * A ciphertext copied into another row or column fails to open. Opening never falls back to the
 * stored bytes: any failure is a CryptoError.
 */
export const ENVELOPE_PREFIX = "nora:v1:";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type CryptoErrorCode =
  | "malformed_envelope"
  | "unknown_key"
  | "decryption_failed"
  | "no_encryption_key";

export class CryptoError extends Error {
  override name = "CryptoError";
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Where a sealed value lives; bound into the ciphertext as associated data. */
export interface SealContext {
  table: string;
  column: string;
  rowId: string;
}

export interface KeyringKey {
  id: string;
  key: Buffer;
}

/** A short, stable, non-secret identifier of a key (first 8 bytes of a labelled SHA-256, base64url). */
export function keyIdOf(key: Buffer): string {
  return createHash("sha256")
    .update("nora:key-id:v1:")
    .update(key)
    .digest()
    .subarray(0, 8)
    .toString("base64url");
}

function associatedData(ctx: SealContext): Buffer {
  return Buffer.from(`nora:v1|${ctx.table}|${ctx.column}|${ctx.rowId}`, "utf8");
}

export function isSealed(value: string): boolean {
  return value.startsWith(ENVELOPE_PREFIX);
}

export function sealWith(key: KeyringKey, plaintext: string | Buffer, ctx: SealContext): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.key, nonce);
  cipher.setAAD(associatedData(ctx));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${ENVELOPE_PREFIX}${key.id}:${nonce.toString("base64url")}:${body.toString("base64url")}`;
}

/** The key id an envelope names, without opening it. */
export function envelopeKeyId(envelope: string): string {
  const parts = envelope.split(":");
  if (parts.length !== 5 || `${parts[0]}:${parts[1]}:` !== ENVELOPE_PREFIX || !parts[2]) {
    throw new CryptoError("malformed_envelope", "Value is not a Nora v1 envelope");
  }
  return parts[2];
}

export function openWith(keys: ReadonlyMap<string, Buffer>, envelope: string, ctx: SealContext): Buffer {
  const keyId = envelopeKeyId(envelope);
  const [, , , nonceText, bodyText] = envelope.split(":") as [string, string, string, string, string];
  const key = keys.get(keyId);
  if (!key) throw new CryptoError("unknown_key", `Value is sealed by key ${keyId}, which is not configured`);
  const nonce = Buffer.from(nonceText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES || nonce.toString("base64url") !== nonceText) {
    throw new CryptoError("malformed_envelope", "Envelope nonce or body is malformed");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, nonce);
    decipher.setAAD(associatedData(ctx));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new CryptoError(
      "decryption_failed",
      "Value cannot be decrypted (tampered, or sealed for another place)",
    );
  }
}
