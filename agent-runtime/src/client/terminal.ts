import type { IncomingMessage } from "node:http";
import { type RawData, WebSocket } from "ws";
import { runtimeErrorBodySchema, type TerminalExit, terminalExitMessageSchema } from "../runtime-api.js";
import { RUNTIME_CLIENT_CODES, RuntimeError } from "./errors.js";

const ERROR_BODY_MAX_BYTES = 64 * 1024;
/** Input queued toward the runtime beyond which `write` asks its caller to wait. */
export const INPUT_HIGH_WATER_BYTES = 256 * 1024;
const DRAIN_POLL_MS = 10;

export interface TerminalRequest {
  cols?: number;
  rows?: number;
}

export interface TerminalConnect {
  url: URL;
  headers: Record<string, string>;
  requestId: string | null;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Sockets to use instead of net.createConnection (tests, a pinned address). */
  createConnection?: WebSocket.ClientOptions["createConnection"];
}

/**
 * An open terminal on a runtime. `socket` is the raw WebSocket (binary frames are the terminal's
 * bytes; text frames are control messages); the helpers cover the protocol.
 */
export class RuntimeTerminal {
  readonly socket: WebSocket;
  readonly requestId: string | null;
  /** The shell's exit status once the runtime sends it; null when the socket closed without one. */
  readonly exit: Promise<TerminalExit | null>;
  /** The close code and reason, once closed. */
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(socket: WebSocket, requestId: string | null) {
    this.socket = socket;
    this.requestId = requestId;
    let exit: TerminalExit | null = null;
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      const parsed = terminalExitMessageSchema.safeParse(safeJson(String(data)));
      if (parsed.success) exit = parsed.data;
    });
    this.closed = new Promise((resolve) => {
      socket.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") }));
    });
    this.exit = this.closed.then(() => exit);
  }

  /**
   * Keystrokes (or a paste), sent as one binary frame. Like a stream's `write`: false once more than
   * INPUT_HIGH_WATER_BYTES wait to be sent (the runtime reads input only as fast as the shell takes
   * it); a caller relaying someone else's input then waits for `drained()` before reading more.
   */
  write(data: string | Uint8Array): boolean {
    this.socket.send(typeof data === "string" ? Buffer.from(data, "utf8") : data, { binary: true });
    return this.socket.bufferedAmount <= INPUT_HIGH_WATER_BYTES;
  }

  /** Resolves once the input waiting to be sent is back under half the high-water mark, or at close. */
  drained(): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve) => {
      const check = () => {
        if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= INPUT_HIGH_WATER_BYTES / 2) {
          clearInterval(poll);
          resolve();
        }
      };
      const poll = setInterval(check, DRAIN_POLL_MS);
      check();
    });
  }

  resize(cols: number, rows: number): void {
    this.socket.send(JSON.stringify({ type: "resize", cols, rows }));
  }

  /** Every output chunk, as bytes. */
  onData(listener: (chunk: Buffer) => void): void {
    this.socket.on("message", (data, isBinary) => {
      if (!isBinary) return;
      listener(rawBytes(data));
    });
  }

  /** Closes the socket; the runtime then kills the shell and everything it started. */
  close(): void {
    this.socket.close(1000);
  }
}

function rawBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Opens the WebSocket: the token in the upgrade's header only, a deadline on the handshake. */
export function connectTerminal(connect: TerminalConnect): Promise<RuntimeTerminal> {
  return new Promise((resolve, reject) => {
    const url = new URL(connect.url);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url, {
      headers: connect.headers,
      handshakeTimeout: connect.timeoutMs,
      followRedirects: false,
      perMessageDeflate: false,
      ...(connect.createConnection === undefined ? {} : { createConnection: connect.createConnection }),
    });
    let settled = false;
    const fail = (error: RuntimeError | Error) => {
      if (settled) return;
      settled = true;
      connect.signal?.removeEventListener("abort", onAbort);
      socket.terminate();
      reject(error);
    };
    const onAbort = () => fail(connect.signal?.reason ?? new Error("aborted"));
    if (connect.signal?.aborted) return onAbort();
    connect.signal?.addEventListener("abort", onAbort, { once: true });

    socket.once("open", () => {
      settled = true;
      const terminal = new RuntimeTerminal(socket, connect.requestId);
      // After the handshake the caller's signal still closes the terminal.
      connect.signal?.removeEventListener("abort", onAbort);
      connect.signal?.addEventListener("abort", () => socket.terminate(), { once: true });
      resolve(terminal);
    });
    socket.once("unexpected-response", (_req, response) => {
      readError(response, connect.requestId).then(fail, fail);
    });
    socket.once("error", (error: Error & { code?: string }) => {
      const timedOut = /timed out/i.test(error.message);
      fail(
        new RuntimeError(
          timedOut ? 504 : 502,
          RUNTIME_CLIENT_CODES.unreachable,
          timedOut
            ? `the runtime did not open the terminal within ${connect.timeoutMs} ms`
            : `the runtime cannot be reached (${typeof error.code === "string" ? error.code : "connection failed"})`,
          connect.requestId,
        ),
      );
    });
  });
}

/** The runtime's refusal (401, 429...) as a RuntimeError carrying its own code and request id. */
async function readError(response: IncomingMessage, sentId: string | null): Promise<RuntimeError> {
  const status = response.statusCode ?? 502;
  const answerId = response.headers["x-request-id"];
  const requestId = typeof answerId === "string" ? answerId : sentId;
  if (status >= 300 && status < 400) {
    response.resume();
    return new RuntimeError(
      502,
      RUNTIME_CLIENT_CODES.redirect,
      `the runtime answered a redirect (HTTP ${status}), which is not followed`,
      requestId,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ERROR_BODY_MAX_BYTES) break;
    chunks.push(chunk);
  }
  const body = runtimeErrorBodySchema.safeParse(safeJson(Buffer.concat(chunks).toString("utf8")));
  if (body.success) return new RuntimeError(status, body.data.error, body.data.message, body.data.requestId);
  return new RuntimeError(status, "runtime_error", `the runtime answered HTTP ${status}`, requestId);
}
