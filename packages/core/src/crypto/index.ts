export {
  CryptoError,
  type CryptoErrorCode,
  ENVELOPE_PREFIX,
  envelopeKeyId,
  isSealed,
  keyIdOf,
  type SealContext,
} from "./envelope.js";
export { Keyring, type OpenResult } from "./keyring.js";
export { type KeyUsage, type RotationProgress, rotateSealedValues, sealedKeyUsage } from "./rotation.js";
export { SEALED_COLUMNS, type SealedColumn } from "./sealed-columns.js";
export { openSealed, sealOrFail, type Unsealed } from "./unseal.js";
