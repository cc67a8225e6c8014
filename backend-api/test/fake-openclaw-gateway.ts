import { createHash, createPublicKey, randomUUID, verify } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A loopback stand-in for OpenClaw's gateway WebSocket (protocol v4) that checks a connect the way
 * openclaw@2026.9.6 does: the shared token, the device id derived from the public key, and the Ed25519
 * signature over OpenClaw's v3 payload (written out here from OpenClaw's `buildDeviceAuthPayloadV3`,
 * not taken from Nora's code). Its RPCs exist to exercise the relay: `echo`, `write` (needs
 * operator.write), `leak` (answers with the token), `flood`, `big`, `bye`.
 */

export interface FakeConnection {
  headers: IncomingHttpHeaders;
  /** Every frame received, as text. */
  frames: string[];
  connect?: Record<string, unknown>;
  socket: WebSocket;
  closed: Promise<{ code: number }>;
}

export interface FakeGateway {
  port: number;
  connections: FakeConnection[];
  /** Device ids the fake considers paired; others get PAIRING_REQUIRED. */
  paired: Set<string>;
  close(): Promise<void>;
}

const v3Payload = (p: {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: string[];
  signedAtMs: number;
  token: string;
  nonce: string;
  platform: string;
  deviceFamily: string;
}) =>
  [
    "v3",
    p.deviceId,
    p.clientId,
    p.clientMode,
    p.role,
    p.scopes.join(","),
    String(p.signedAtMs),
    p.token,
    p.nonce,
    p.platform.trim().replace(/[A-Z]/g, (c) => c.toLowerCase()),
    p.deviceFamily.trim().replace(/[A-Z]/g, (c) => c.toLowerCase()),
  ].join("|");

function verifyDevice(params: Record<string, unknown>, token: string, nonce: string): string | null {
  const device = params.device as Record<string, unknown> | undefined;
  const client = params.client as Record<string, string>;
  if (!device) return "device required";
  const raw = Buffer.from(String(device.publicKey), "base64url");
  if (createHash("sha256").update(raw).digest("hex") !== device.id) return "device identity mismatch";
  if (device.nonce !== nonce) return "device nonce mismatch";
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]),
    format: "der",
    type: "spki",
  });
  const payload = v3Payload({
    deviceId: String(device.id),
    clientId: client.id ?? "",
    clientMode: client.mode ?? "",
    role: String(params.role),
    scopes: (params.scopes as string[]) ?? [],
    signedAtMs: Number(device.signedAt),
    token,
    nonce,
    platform: client.platform ?? "",
    deviceFamily: client.deviceFamily ?? "",
  });
  const ok = verify(null, Buffer.from(payload), key, Buffer.from(String(device.signature), "base64url"));
  return ok ? null : "device signature invalid";
}

export async function startFakeGateway(options: {
  token: string;
  /** The device token the hello hands the device (the relay must never pass it on). */
  deviceToken: string;
  /** The hello's policy.maxPayload (the relay lowers it to its own cap). */
  maxPayload?: number;
}): Promise<FakeGateway> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const connections: FakeConnection[] = [];
  const paired = new Set<string>();
  wss.on("connection", (socket, req) => {
    const nonce = randomUUID();
    let connected = false;
    let scopes: string[] = [];
    const conn: FakeConnection = {
      headers: req.headers,
      frames: [],
      socket,
      closed: new Promise((resolve) => socket.once("close", (code) => resolve({ code }))),
    };
    connections.push(conn);
    const send = (frame: unknown) => socket.send(JSON.stringify(frame));
    const res = (id: string, payload: unknown) => send({ type: "res", id, ok: true, payload });
    const fail = (id: string, code: string, message: string, details?: object) =>
      send({ type: "res", id, ok: false, error: { code, message, ...(details ? { details } : {}) } });
    socket.on("message", (data) => {
      const text = String(data);
      conn.frames.push(text);
      const frame = JSON.parse(text) as { id: string; method: string; params: Record<string, unknown> };
      if (!connected) {
        conn.connect = frame as unknown as Record<string, unknown>;
        const auth = frame.params.auth as { token?: string } | undefined;
        if (frame.method !== "connect" || auth?.token !== options.token) {
          fail(frame.id, "INVALID_REQUEST", "unauthorized");
          return socket.close(1008, "unauthorized");
        }
        const refusal = verifyDevice(frame.params, options.token, nonce);
        if (refusal) {
          fail(frame.id, "INVALID_REQUEST", refusal);
          return socket.close(1008, refusal);
        }
        const deviceId = String((frame.params.device as { id: string }).id);
        if (!paired.has(deviceId)) {
          const requestId = randomUUID();
          fail(frame.id, "NOT_PAIRED", "pairing required: device is not approved yet", {
            code: "PAIRING_REQUIRED",
            reason: "not-paired",
            requestId,
            deviceId,
          });
          return socket.close(1008, `pairing required (requestId: ${requestId})`);
        }
        connected = true;
        scopes = (frame.params.scopes as string[]) ?? [];
        return res(frame.id, {
          type: "hello-ok",
          protocol: 4,
          server: { version: "fake", connId: randomUUID() },
          features: { methods: ["echo", "write", "leak", "flood", "big", "bye"], events: [] },
          snapshot: {},
          pluginSurfaceUrls: { canvas: `http://127.0.0.1:${port}/__openclaw__/cap/secretcap` },
          auth: {
            method: "token",
            role: "operator",
            scopes,
            recoveryScope: "hash-of-the-device-token",
            deviceToken: options.deviceToken,
            issuedAtMs: Date.now(),
          },
          policy: {
            maxPayload: options.maxPayload ?? 26_214_400,
            maxBufferedBytes: 52_428_800,
            tickIntervalMs: 30_000,
            attachments: { maxBytes: 19_464_192, maxImageBytes: 6_291_456 },
          },
        });
      }
      const params = frame.params ?? {};
      switch (frame.method) {
        case "echo":
          return res(frame.id, params);
        case "write":
          if (!scopes.includes("operator.write")) {
            return fail(frame.id, "FORBIDDEN", "missing scope: operator.write", { code: "MISSING_SCOPE" });
          }
          return res(frame.id, { written: true });
        case "leak":
          return res(frame.id, { config: { gateway: { auth: { token: options.token } } } });
        case "flood": {
          const count = Number(params.count ?? 100);
          const size = Number(params.size ?? 32 * 1024);
          for (let i = 0; i < count; i++) {
            send({ type: "event", event: "flood", seq: i, payload: "f".repeat(size) });
          }
          return res(frame.id, { sent: count });
        }
        case "big":
          return send({ type: "event", event: "big", payload: "b".repeat(Number(params.size)) });
        case "bye":
          return socket.close(4000, "bye");
        default:
          return fail(frame.id, "INVALID_REQUEST", `unknown method ${frame.method}`);
      }
    });
    send({ type: "event", event: "connect.challenge", payload: { nonce, ts: Date.now() } });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    port,
    connections,
    paired,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
