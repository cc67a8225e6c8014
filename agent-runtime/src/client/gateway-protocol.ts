import { z } from "zod";
import {
  deviceAuthPayloadV3,
  type GatewayDeviceIdentity,
  NORA_GATEWAY_DEVICE_PLATFORM,
  NORA_GATEWAY_DEVICE_SCOPES,
} from "../openclaw-device.js";

/**
 * Frames of OpenClaw's gateway WebSocket protocol (v4, openclaw@2026.9.6) as Nora handles them: the
 * gateway's challenge, a client's connect request (read, never forwarded), the connect Nora writes in
 * its place, and the hello a client receives. Every other frame passes through untouched.
 */

const text = (max: number) => z.string().max(max);

/** `{"type":"event","event":"connect.challenge","payload":{"nonce","ts"}}`, the gateway's first frame. */
export const gatewayChallengeSchema = z.object({
  type: z.literal("event"),
  event: z.literal("connect.challenge"),
  payload: z.looseObject({
    nonce: z.string().trim().min(1).max(256),
    ts: z.number().int().nonnegative(),
  }),
});

export type GatewayChallenge = z.infer<typeof gatewayChallengeSchema>;

/**
 * A client's first frame: a `connect` request. Only what Nora copies into its own connect is read
 * (protocol range, capabilities, locale, user agent, the scopes asked for, display fields); its `auth`,
 * `device`, `role`, `commands` and `permissions` are never looked at, let alone forwarded.
 */
export const clientConnectSchema = z.object({
  type: z.literal("req"),
  id: z.string().min(1).max(128),
  method: z.literal("connect"),
  params: z.looseObject({
    minProtocol: z.number().int().min(1).max(1000),
    maxProtocol: z.number().int().min(1).max(1000),
    client: z.looseObject({
      version: text(128).optional(),
      displayName: text(128).optional(),
      instanceId: text(128).optional(),
    }),
    scopes: z.array(text(64)).max(32).optional(),
    caps: z.array(text(64)).max(64).optional(),
    locale: text(64).optional(),
    userAgent: text(512).optional(),
  }),
});

export type ClientConnect = z.infer<typeof clientConnectSchema>;

/** A response frame: `{"type":"res","id","ok","payload"|"error"}`. */
export const gatewayResponseSchema = z.looseObject({
  type: z.literal("res"),
  id: z.string(),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: z
    .looseObject({
      code: z.string().optional(),
      message: z.string().optional(),
      details: z.looseObject({}).optional(),
    })
    .optional(),
});

export type GatewayResponse = z.infer<typeof gatewayResponseSchema>;

/**
 * Who Nora's connection claims to be. `control-ui`: OpenClaw's own Control UI, as its page behind
 * Nora's proxy opens it (the gateway then checks the Origin against gateway.controlUi.allowedOrigins);
 * `backend`: any other client (scripts through `/api/ws/agents/:id/gateway`).
 */
export type GatewayClientIdentity = "control-ui" | "backend";

const CLIENT_IDENTITY: Record<GatewayClientIdentity, { id: string; mode: string }> = {
  "control-ui": { id: "openclaw-control-ui", mode: "webchat" },
  backend: { id: "gateway-client", mode: "backend" },
};

/** The scopes a caller may hold: read for viewers and read-only keys, Nora's whole set for writers. */
export function gatewayAllowance(write: boolean): readonly string[] {
  return write ? NORA_GATEWAY_DEVICE_SCOPES : ["operator.read"];
}

/** What a connection gets: the scopes asked for within the allowance (all of it when none are named). */
export function grantedScopes(requested: readonly string[] | undefined, allowance: readonly string[]) {
  if (requested === undefined) return [...allowance];
  const asked = new Set(requested);
  return allowance.filter((scope) => asked.has(scope));
}

export interface NoraConnectInput {
  client: ClientConnect;
  challenge: GatewayChallenge;
  identity: GatewayClientIdentity;
  scopes: readonly string[];
  token: string;
  device: GatewayDeviceIdentity;
}

/**
 * The connect Nora sends for a client's: same request id, protocol range, capabilities and display
 * fields, but Nora's role (operator), scopes, shared token and device, signed over the gateway's own
 * challenge (the v3 payload binds the token, the nonce, the scopes and the client's identity).
 */
export function noraConnectFrame(input: NoraConnectInput): { id: string } & Record<string, unknown> {
  const { client, challenge, identity, scopes, token, device } = input;
  const { id: clientId, mode: clientMode } = CLIENT_IDENTITY[identity];
  const { params } = client;
  const signedAt = challenge.payload.ts;
  const nonce = challenge.payload.nonce;
  const signature = device.sign(
    deviceAuthPayloadV3({
      deviceId: device.id,
      clientId,
      clientMode,
      role: "operator",
      scopes,
      signedAtMs: signedAt,
      token,
      nonce,
      platform: NORA_GATEWAY_DEVICE_PLATFORM,
    }),
  );
  const optional = (name: string, value: unknown) => (value === undefined ? {} : { [name]: value });
  return {
    type: "req",
    id: client.id,
    method: "connect",
    params: {
      minProtocol: params.minProtocol,
      maxProtocol: params.maxProtocol,
      client: {
        id: clientId,
        mode: clientMode,
        version: params.client.version ?? "nora",
        platform: NORA_GATEWAY_DEVICE_PLATFORM,
        ...optional("displayName", params.client.displayName),
        ...optional("instanceId", params.client.instanceId),
      },
      role: "operator",
      scopes: [...scopes],
      caps: params.caps ?? [],
      auth: { token },
      ...optional("locale", params.locale),
      ...optional("userAgent", params.userAgent),
      device: { id: device.id, publicKey: device.publicKey, signature, signedAt, nonce },
    },
  };
}

export interface HelloLimits {
  /** The largest frame the relay passes either way. */
  maxFrameBytes: number;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const capped = (value: unknown, cap: number) => (typeof value === "number" ? Math.min(value, cap) : value);

/**
 * The gateway's hello as a client receives it. `auth` keeps only the role and the scopes in force:
 * the device token the gateway issues Nora's device (a credential with the device's whole grant) and
 * the recovery hash derived from it never leave the API. `pluginSurfaceUrls` (capability URLs on the
 * gateway's own address) and `controlUiUrl` are dropped. The frame and attachment sizes it advertises
 * are lowered to what the relay passes, so a client that checks them sends nothing the relay refuses.
 */
export function helloForClient(payload: unknown, limits: HelloLimits): Record<string, unknown> {
  const hello = { ...(record(payload) ?? {}) };
  const auth = record(hello.auth);
  hello.auth = {
    ...(typeof auth?.method === "string" ? { method: auth.method } : {}),
    role: auth?.role,
    scopes: Array.isArray(auth?.scopes) ? auth.scopes : [],
  };
  delete hello.pluginSurfaceUrls;
  delete hello.controlUiUrl;
  const policy = record(hello.policy);
  if (policy) {
    // Attachments travel as base64 inside a JSON frame: a third larger, plus the frame around them.
    const attachmentCap = Math.floor((limits.maxFrameBytes * 3) / 4) - 64 * 1024;
    const attachments = record(policy.attachments);
    hello.policy = {
      ...policy,
      maxPayload: capped(policy.maxPayload, limits.maxFrameBytes),
      ...(attachments
        ? {
            attachments: {
              ...attachments,
              maxBytes: capped(attachments.maxBytes, attachmentCap),
              maxImageBytes: capped(attachments.maxImageBytes, attachmentCap),
            },
          }
        : {}),
    };
  }
  return hello;
}

/** The pairing request the gateway opened for Nora's device, when that is why it refused a connect. */
export function pairingRequestOf(response: GatewayResponse, deviceId: string): string | null {
  const details = response.error?.details;
  if (response.ok || details?.code !== "PAIRING_REQUIRED" || details.deviceId !== deviceId) return null;
  return typeof details.requestId === "string" ? details.requestId : null;
}

/**
 * A refused connect as the client receives it: the gateway's code, message and retry hints (a gateway
 * still starting answers `UNAVAILABLE`, `retryable`, `retryAfterMs`), and of its details only the code
 * and the reason.
 */
export function refusalForClient(response: GatewayResponse): Record<string, unknown> {
  const error = response.error ?? {};
  const details = error.details ?? {};
  const kept = Object.fromEntries(
    ["code", "reason"].filter((name) => details[name] !== undefined).map((name) => [name, details[name]]),
  );
  return {
    type: "res",
    id: response.id,
    ok: false,
    error: {
      code: error.code ?? "UNAVAILABLE",
      message: error.message ?? "the agent's gateway refused the connection",
      ...(typeof error.retryable === "boolean" ? { retryable: error.retryable } : {}),
      ...(typeof error.retryAfterMs === "number" ? { retryAfterMs: error.retryAfterMs } : {}),
      ...(Object.keys(kept).length > 0 ? { details: kept } : {}),
    },
  };
}

/** The close code that goes with a refusal: 1013 (try again later) for a gateway still starting. */
export function refusalCloseCode(refusal: Record<string, unknown>): number {
  const error = refusal.error as { code?: unknown } | undefined;
  return error?.code === "UNAVAILABLE" ? 1013 : 1008;
}
