import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { z } from "zod";

/**
 * The device identity Nora connects to an OpenClaw gateway's WebSocket as (protocol v4, checked in
 * openclaw@2026.9.6: `packages/gateway-client/src/device-auth.ts`, the gateway's connect handler). One
 * Ed25519 key pair per agent: the private key stays in Nora (sealed in the database), the public key
 * goes to the runtime, which approves the gateway's pairing request for exactly that key
 * (docs/runtime-access.md, "The gateway's WebSocket").
 */

/** The runtime learns the public key from its environment (not a secret). */
export const NORA_GATEWAY_DEVICE_PUBLIC_KEY_ENV = "NORA_GATEWAY_DEVICE_PUBLIC_KEY";

/**
 * The most a Nora connection is ever granted, and what the device is paired with: the set OpenClaw
 * itself gives auto-approved UI devices. Never `operator.admin` (config, updates, exec approvals:
 * Nora owns those), `operator.pairing` (minting devices beside Nora's) or `operator.talk.secrets`.
 */
export const NORA_GATEWAY_DEVICE_SCOPES = [
  "operator.read",
  "operator.write",
  "operator.approvals",
  "operator.questions",
] as const;

export type NoraGatewayScope = (typeof NORA_GATEWAY_DEVICE_SCOPES)[number];

/**
 * The platform Nora's connections claim. The gateway pins a paired device's platform: every Nora
 * connection sends the same one, whatever browser is behind it.
 */
export const NORA_GATEWAY_DEVICE_PLATFORM = "nora";

/** A raw Ed25519 public key (32 bytes) as base64url, the form OpenClaw's protocol carries. */
export const gatewayDevicePublicKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, "expected a base64url Ed25519 public key");

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** OpenClaw's device id: the hex SHA-256 of the raw public key. */
export function gatewayDeviceIdOf(publicKey: string): string {
  return createHash("sha256").update(Buffer.from(publicKey, "base64url")).digest("hex");
}

export interface GatewayDeviceIdentity {
  id: string;
  /** base64url raw public key. */
  publicKey: string;
  /** Signs a device-auth payload (Ed25519), base64url. */
  sign(payload: string): string;
}

/** A new key pair: the private key as PKCS#8 PEM (to seal), the public key as OpenClaw carries it. */
export function generateGatewayDeviceKey(): { privateKeyPem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: rawPublicKey(publicKey.export({ type: "spki", format: "der" })),
  };
}

function rawPublicKey(spki: Buffer): string {
  if (spki.length !== 44 || !spki.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
    throw new Error("not an Ed25519 public key");
  }
  return spki.subarray(12).toString("base64url");
}

/** The identity of a sealed private key once opened. Throws on anything but an Ed25519 key. */
export function gatewayDeviceIdentity(privateKeyPem: string): GatewayDeviceIdentity {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 private key");
  const publicKey = rawPublicKey(createPublicKey(key).export({ type: "spki", format: "der" }));
  return {
    id: gatewayDeviceIdOf(publicKey),
    publicKey,
    sign: (payload) => sign(null, Buffer.from(payload, "utf8"), key).toString("base64url"),
  };
}

/** What a connect's device signature covers (OpenClaw's `buildDeviceAuthPayloadV3`). */
export interface DeviceAuthPayload {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  /** The shared gateway token sent in the same connect: the signature binds it. */
  token: string;
  nonce: string;
  platform: string;
  deviceFamily?: string;
}

/** OpenClaw's `normalizeDeviceMetadataForAuth`: trimmed, ASCII capitals lowered. */
const lowerTrimmed = (value: string | undefined) =>
  (value ?? "").trim().replace(/[A-Z]/g, (char) => char.toLowerCase());

/** `v3|deviceId|clientId|clientMode|role|scopes|signedAt|token|nonce|platform|deviceFamily`. */
export function deviceAuthPayloadV3(payload: DeviceAuthPayload): string {
  return [
    "v3",
    payload.deviceId,
    payload.clientId,
    payload.clientMode,
    payload.role,
    payload.scopes.join(","),
    String(payload.signedAtMs),
    payload.token,
    payload.nonce,
    lowerTrimmed(payload.platform),
    lowerTrimmed(payload.deviceFamily),
  ].join("|");
}
