import { createHash, createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { gatewayDeviceIdentity, generateGatewayDeviceKey } from "../openclaw-device.js";
import { judgePendingPairing } from "../server/gateway-pairing.js";
import {
  clientConnectSchema,
  gatewayAllowance,
  grantedScopes,
  helloForClient,
  noraConnectFrame,
  pairingRequestOf,
  refusalCloseCode,
  refusalForClient,
} from "./gateway-protocol.js";

const key = generateGatewayDeviceKey();
const device = gatewayDeviceIdentity(key.privateKeyPem);
const challenge = {
  type: "event" as const,
  event: "connect.challenge" as const,
  payload: { nonce: "9f735f44-de2a-40fb-bd38-49300afc35f6", ts: 1_796_186_753_591 },
};
const client = clientConnectSchema.parse({
  type: "req",
  id: "c1",
  method: "connect",
  params: {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "openclaw-control-ui", mode: "webchat", version: "2026.9.6", platform: "MacIntel" },
    role: "node",
    scopes: ["operator.admin", "operator.read", "operator.write", "operator.pairing"],
    caps: ["tool-events"],
    commands: ["system.run"],
    auth: { token: "browser" },
    device: { id: "browser" },
  },
});

describe("the device Nora connects as", () => {
  it("is OpenClaw's identity: id = sha256 of the raw Ed25519 key, base64url key", () => {
    expect(device.publicKey).toBe(key.publicKey);
    expect(device.id).toBe(
      createHash("sha256").update(Buffer.from(key.publicKey, "base64url")).digest("hex"),
    );
    expect(device.id).toMatch(/^[0-9a-f]{64}$/);
    expect(() => gatewayDeviceIdentity("not a key")).toThrow();
  });
});

describe("Nora's connect frame", () => {
  const frame = noraConnectFrame({
    client,
    challenge,
    identity: "backend",
    scopes: ["operator.read"],
    token: "the-gateway-token",
    device,
  }) as { id: string; params: Record<string, unknown> & { device: Record<string, string | number> } };

  it("keeps the request id, the protocol range and the capabilities; drops the client's auth, device, role, commands", () => {
    expect(frame.id).toBe("c1");
    expect(frame.params).toMatchObject({
      minProtocol: 4,
      maxProtocol: 4,
      role: "operator",
      scopes: ["operator.read"],
      caps: ["tool-events"],
      auth: { token: "the-gateway-token" },
      client: { id: "gateway-client", mode: "backend", platform: "nora", version: "2026.9.6" },
    });
    expect(frame.params.commands).toBeUndefined();
    expect(JSON.stringify(frame)).not.toContain("browser");
  });

  it("is signed the way OpenClaw verifies it: v3 payload over the gateway's nonce and time, binding the token", () => {
    // OpenClaw's buildDeviceAuthPayloadV3, written out.
    const payload = [
      "v3",
      device.id,
      "gateway-client",
      "backend",
      "operator",
      "operator.read",
      String(challenge.payload.ts),
      "the-gateway-token",
      challenge.payload.nonce,
      "nora",
      "",
    ].join("|");
    const publicKey = createPublicKey({
      key: Buffer.concat([
        Buffer.from("302a300506032b6570032100", "hex"),
        Buffer.from(String(frame.params.device.publicKey), "base64url"),
      ]),
      format: "der",
      type: "spki",
    });
    const signature = Buffer.from(String(frame.params.device.signature), "base64url");
    expect(verify(null, Buffer.from(payload), publicKey, signature)).toBe(true);
    expect(
      verify(null, Buffer.from(payload.replace("the-gateway-token", "other")), publicKey, signature),
    ).toBe(false);
    expect(frame.params.device).toMatchObject({
      id: device.id,
      signedAt: challenge.payload.ts,
      nonce: challenge.payload.nonce,
    });
  });
});

describe("scopes", () => {
  it("grants within the caller's allowance only: never admin, pairing or secrets", () => {
    expect(gatewayAllowance(false)).toEqual(["operator.read"]);
    expect(grantedScopes(client.params.scopes, gatewayAllowance(true))).toEqual([
      "operator.read",
      "operator.write",
    ]);
    expect(grantedScopes(client.params.scopes, gatewayAllowance(false))).toEqual(["operator.read"]);
    expect(grantedScopes(undefined, gatewayAllowance(true))).toEqual([
      "operator.read",
      "operator.write",
      "operator.approvals",
      "operator.questions",
    ]);
    expect(grantedScopes(["operator.admin", "operator.talk.secrets"], gatewayAllowance(true))).toEqual([]);
  });
});

describe("the hello a client receives", () => {
  const hello = helloForClient(
    {
      type: "hello-ok",
      features: { methods: ["health"] },
      controlUiUrl: "http://gateway/ui",
      pluginSurfaceUrls: { canvas: "http://172.18.0.2:18789/__openclaw__/cap/abc" },
      auth: {
        method: "token",
        role: "operator",
        scopes: ["operator.read"],
        deviceToken: "device-token",
        recoveryScope: "hash",
        issuedAtMs: 1,
      },
      policy: { maxPayload: 26_214_400, attachments: { maxBytes: 19_464_192, maxImageBytes: 6_291_456 } },
    },
    { maxFrameBytes: 4 * 1024 * 1024 },
  );

  it("carries the role and scopes, never the device token, its recovery hash or the gateway's own URLs", () => {
    expect(hello.auth).toEqual({ method: "token", role: "operator", scopes: ["operator.read"] });
    expect(hello.pluginSurfaceUrls).toBeUndefined();
    expect(hello.controlUiUrl).toBeUndefined();
    expect(hello.features).toEqual({ methods: ["health"] });
  });

  it("advertises the relay's frame cap, and attachments that fit in it", () => {
    const policy = hello.policy as {
      maxPayload: number;
      attachments: { maxBytes: number; maxImageBytes: number };
    };
    expect(policy.maxPayload).toBe(4 * 1024 * 1024);
    expect(policy.attachments.maxBytes).toBeLessThan((4 * 1024 * 1024 * 3) / 4);
    expect(policy.attachments.maxImageBytes).toBe(policy.attachments.maxBytes);
  });
});

describe("refusals", () => {
  const pairing = {
    type: "res" as const,
    id: "c1",
    ok: false,
    error: {
      code: "NOT_PAIRED",
      message: "pairing required",
      details: { code: "PAIRING_REQUIRED", requestId: "r-1", deviceId: device.id, requestedScopes: ["x"] },
    },
  };

  it("recognises the gateway asking to pair Nora's device, and only Nora's", () => {
    expect(pairingRequestOf(pairing, device.id)).toBe("r-1");
    expect(pairingRequestOf(pairing, "another")).toBeNull();
    expect(pairingRequestOf({ ...pairing, ok: true }, device.id)).toBeNull();
  });

  it("passes the code, the message and the retry hints; no other detail", () => {
    expect(refusalForClient(pairing)).toEqual({
      type: "res",
      id: "c1",
      ok: false,
      error: { code: "NOT_PAIRED", message: "pairing required", details: { code: "PAIRING_REQUIRED" } },
    });
    expect(refusalCloseCode(refusalForClient(pairing))).toBe(1008);
  });

  it("tells a client to come back when the gateway is still starting (1013, its retry hints)", () => {
    const starting = refusalForClient({
      type: "res",
      id: "c1",
      ok: false,
      error: {
        code: "UNAVAILABLE",
        message: "gateway starting; retry shortly",
        retryable: true,
        retryAfterMs: 500,
        details: { reason: "startup-sidecars" },
      },
    });
    expect(starting.error).toEqual({
      code: "UNAVAILABLE",
      message: "gateway starting; retry shortly",
      retryable: true,
      retryAfterMs: 500,
      details: { reason: "startup-sidecars" },
    });
    expect(refusalCloseCode(starting)).toBe(1013);
  });
});

describe("the runtime's judgement of a pending pairing request", () => {
  const pending = {
    requestId: "r-1",
    deviceId: device.id,
    publicKey: device.publicKey,
    role: "operator",
    roles: ["operator"],
    scopes: ["operator.read"],
  };

  it("approves Nora's device as an operator within Nora's scopes", () => {
    expect(judgePendingPairing(pending, device.publicKey)).toBeNull();
  });

  it("refuses another key, a forged id, another role, a scope beyond Nora's", () => {
    const other = generateGatewayDeviceKey().publicKey;
    expect(judgePendingPairing(pending, other)).toMatch(/public key/);
    expect(judgePendingPairing({ ...pending, deviceId: "0".repeat(64) }, device.publicKey)).toMatch(
      /device id/,
    );
    expect(judgePendingPairing({ ...pending, role: "node", roles: ["node"] }, device.publicKey)).toMatch(
      /role/,
    );
    expect(judgePendingPairing({ ...pending, roles: ["operator", "node"] }, device.publicKey)).toMatch(
      /role/,
    );
    expect(judgePendingPairing({ ...pending, scopes: ["operator.admin"] }, device.publicKey)).toMatch(
      /scope/,
    );
    expect(judgePendingPairing({ ...pending, scopes: ["operator.pairing"] }, device.publicKey)).toMatch(
      /scope/,
    );
  });
});
