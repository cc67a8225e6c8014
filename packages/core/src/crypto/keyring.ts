import type { Config } from "../config/index.js";
import { decodeEncryptionKey } from "../config/secret-policy.js";
import {
  CryptoError,
  envelopeKeyId,
  isSealed,
  type KeyringKey,
  keyIdOf,
  openWith,
  type SealContext,
  sealWith,
} from "./envelope.js";

export interface OpenResult {
  value: string;
  /** True when the stored value had no envelope (legacy plaintext); the caller should re-seal it. */
  legacyPlaintext: boolean;
  /** True when it was sealed by a key other than the current one (rotation pending). */
  staleKey: boolean;
}

/**
 * The encryption keys: ENCRYPTION_KEY seals; it and ENCRYPTION_KEYS_PREVIOUS open. Values without an
 * envelope are accepted only when NORA_ALLOW_PLAINTEXT_SECRETS=true.
 */
export class Keyring {
  private readonly openKeys: Map<string, Buffer>;

  constructor(
    private readonly current: KeyringKey | undefined,
    previous: KeyringKey[],
    private readonly allowPlaintext: boolean,
  ) {
    this.openKeys = new Map(previous.map((k) => [k.id, k.key]));
    if (current) this.openKeys.set(current.id, current.key);
  }

  static fromConfig(config: Config): Keyring {
    const decode = (text: string) => {
      const key = decodeEncryptionKey(text);
      return key ? { id: keyIdOf(key), key } : undefined;
    };
    const current = config.secrets.encryptionKey ? decode(config.secrets.encryptionKey) : undefined;
    const previous = config.secrets.previousEncryptionKeys.map((text, i) => {
      const key = decode(text);
      if (!key)
        throw new CryptoError(
          "no_encryption_key",
          `ENCRYPTION_KEYS_PREVIOUS entry ${i + 1} is not a 32-byte key`,
        );
      return key;
    });
    return new Keyring(current, previous, config.secrets.allowPlaintextSecrets);
  }

  get currentKeyId(): string | undefined {
    return this.current?.id;
  }

  get knownKeyIds(): string[] {
    return [...this.openKeys.keys()];
  }

  seal(plaintext: string, ctx: SealContext): string {
    if (!this.current) {
      throw new CryptoError(
        "no_encryption_key",
        "ENCRYPTION_KEY is not configured; secrets cannot be stored",
      );
    }
    return sealWith(this.current, plaintext, ctx);
  }

  open(stored: string, ctx: SealContext): OpenResult {
    if (!isSealed(stored)) {
      if (!this.allowPlaintext) {
        throw new CryptoError(
          "malformed_envelope",
          "Stored value is not sealed (NORA_ALLOW_PLAINTEXT_SECRETS is off)",
        );
      }
      return { value: stored, legacyPlaintext: true, staleKey: false };
    }
    const value = openWith(this.openKeys, stored, ctx).toString("utf8");
    return { value, legacyPlaintext: false, staleKey: envelopeKeyId(stored) !== this.current?.id };
  }

  /** Opens with any known key and seals with the current one (rotation of one value). */
  reseal(stored: string, ctx: SealContext): string {
    return this.seal(this.open(stored, ctx).value, ctx);
  }
}
