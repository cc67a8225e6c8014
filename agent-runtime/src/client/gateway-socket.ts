import { isIP } from "node:net";
import { type RawData, WebSocket } from "ws";
import {
  type GatewayChallenge,
  type GatewayResponse,
  gatewayChallengeSchema,
  gatewayResponseSchema,
} from "./gateway-protocol.js";

/** Why a connection to the gateway failed: it did not answer, not in time, or not in its protocol. */
export class GatewaySocketError extends Error {
  constructor(
    readonly reason: "unreachable" | "timeout" | "protocol" | "closed",
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "GatewaySocketError";
  }
}

export interface GatewaySocketOptions {
  /** The pinned address (already judged by the caller) and the recorded host, sent as Host. */
  address: string;
  port: number;
  hostHeader: string;
  /** Sent as Origin: the Control UI's connections are checked against gateway.controlUi.allowedOrigins. */
  origin?: string | undefined;
  /** Frames beyond this are refused by the socket (close 1009). */
  maxFrameBytes: number;
  /** For the upgrade and for the challenge. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** One frame from the gateway as it arrived. */
export interface GatewayFrame {
  data: Buffer;
  binary: boolean;
}

const asBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

function parse(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Frames the gateway may send between Nora's connect and its answer (delivered after it, in order). */
const EARLY_FRAMES_MAX = 64;

/**
 * A WebSocket to an OpenClaw gateway, opened by `GatewaySocket.open` once the gateway sent its
 * `connect.challenge`. One listener takes every frame from the start, so none is lost between the
 * handshake and the relay: frames wait in order until `deliver` names who gets them.
 */
export class GatewaySocket {
  readonly socket: WebSocket;
  readonly challenge: GatewayChallenge;
  #waiting: GatewayFrame[] = [];
  #consumer: ((frame: GatewayFrame) => void) | undefined;

  private constructor(socket: WebSocket, challenge: GatewayChallenge) {
    this.socket = socket;
    this.challenge = challenge;
    socket.on("message", (data, binary) => {
      const frame = { data: asBuffer(data), binary };
      if (this.#consumer) this.#consumer(frame);
      else this.#waiting.push(frame);
    });
  }

  /**
   * Connects without any forwarding header (the gateway refuses forwarded claims from an untrusted
   * peer), follows no redirect, compresses nothing, and waits for the challenge.
   */
  static open(options: GatewaySocketOptions): Promise<GatewaySocket> {
    const host = isIP(options.address) === 6 ? `[${options.address}]` : options.address;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://${host}:${options.port}/`, {
        headers: { host: options.hostHeader, ...(options.origin ? { origin: options.origin } : {}) },
        perMessageDeflate: false,
        followRedirects: false,
        maxPayload: options.maxFrameBytes,
        handshakeTimeout: options.timeoutMs,
      });
      let settled = false;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener("abort", onAbort);
        socket.off("message", onFirst);
      };
      const fail = (error: GatewaySocketError) => {
        if (settled) return;
        settle();
        socket.terminate();
        reject(error);
      };
      const onAbort = () => fail(new GatewaySocketError("closed", "the caller went away"));
      const onFirst = (data: RawData) => {
        const challenge = gatewayChallengeSchema.safeParse(parse(asBuffer(data)));
        if (!challenge.success) {
          fail(new GatewaySocketError("protocol", "the gateway did not open with a challenge"));
          return;
        }
        settle();
        resolve(new GatewaySocket(socket, challenge.data));
      };
      const timer = setTimeout(
        () => fail(new GatewaySocketError("timeout", "the gateway did not send its challenge in time")),
        options.timeoutMs,
      );
      options.signal.addEventListener("abort", onAbort, { once: true });
      socket.on("error", (error: NodeJS.ErrnoException) =>
        fail(
          new GatewaySocketError("unreachable", "the gateway is unreachable", error.code ?? error.message),
        ),
      );
      socket.once("unexpected-response", (_req, res) => {
        res.resume();
        fail(new GatewaySocketError("protocol", "the gateway refused the upgrade", `HTTP ${res.statusCode}`));
      });
      socket.once("close", (code) =>
        fail(new GatewaySocketError("closed", "the gateway closed the connection", String(code))),
      );
      socket.once("message", onFirst);
    });
  }

  /**
   * Sends a connect frame and resolves with the gateway's answer to it (same request id). Frames
   * before the answer keep waiting for `deliver`; a gateway that sends many of them instead of an
   * answer, closes, or takes too long is an error.
   */
  connect(frame: { id: string } & Record<string, unknown>, timeoutMs: number, signal: AbortSignal) {
    return new Promise<GatewayResponse>((resolve, reject) => {
      const early: GatewayFrame[] = [];
      const done = (error: GatewaySocketError | undefined, response?: GatewayResponse) => {
        clearTimeout(timer);
        this.socket.off("close", onClose);
        signal.removeEventListener("abort", onAbort);
        this.#consumer = undefined;
        this.#waiting.push(...early);
        if (error) reject(error);
        else resolve(response as GatewayResponse);
      };
      const onClose = (code: number) =>
        done(new GatewaySocketError("closed", "the gateway closed the connection", String(code)));
      const onAbort = () => {
        done(new GatewaySocketError("closed", "the caller went away"));
        this.close(1000, "client left");
      };
      const timer = setTimeout(
        () => done(new GatewaySocketError("timeout", "the gateway did not answer the connect in time")),
        timeoutMs,
      );
      this.#consumer = (received) => {
        const response = received.binary ? undefined : gatewayResponseSchema.safeParse(parse(received.data));
        if (response?.success && response.data.id === frame.id) return done(undefined, response.data);
        if (early.push(received) > EARLY_FRAMES_MAX) {
          done(new GatewaySocketError("protocol", "the gateway did not answer the connect"));
        }
      };
      this.socket.once("close", onClose);
      signal.addEventListener("abort", onAbort, { once: true });
      this.socket.send(JSON.stringify(frame));
    });
  }

  /** From now on every frame goes to `consumer`, starting with those that waited. */
  deliver(consumer: (frame: GatewayFrame) => void): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#consumer = consumer;
    for (const frame of waiting) consumer(frame);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
    setTimeout(() => this.socket.terminate(), 2_000).unref();
  }
}
