import type { z } from "zod";
import type { providerSyncSchema } from "../bootstrap/schema.js";
import { RUNTIME_ROUTES, runtimeAuthHeaders } from "../endpoints.js";
import {
  deleteResponseSchema,
  type ExecRequest,
  execResponseSchema,
  fileContentResponseSchema,
  type fileLocationQuerySchema,
  fileRootsResponseSchema,
  type fileTargetQuerySchema,
  fileTreeResponseSchema,
  fileWrittenResponseSchema,
  gatewayDevicePairingResponseSchema,
  healthResponseSchema,
  infoResponseSchema,
  type logsQuerySchema,
  metricsResponseSchema,
  type mkdirBodySchema,
  mkdirResponseSchema,
  type moveBodySchema,
  moveResponseSchema,
  providersSyncResponseSchema,
  type putContentBodySchema,
  runtimeErrorBodySchema,
} from "../runtime-api.js";
import { RUNTIME_CLIENT_CODES, RuntimeError } from "./errors.js";
import {
  connectTerminal,
  type RuntimeTerminal,
  type TerminalConnect,
  type TerminalRequest,
} from "./terminal.js";

export interface RuntimeClientOptions {
  /** The runtime's address (`http://10.0.0.5:9090`), already checked by the caller. */
  baseUrl: string | URL;
  /** The agent's runtime token; sent as a bearer header, never in a URL. */
  token: string;
  /** Sent as `x-request-id`, so the runtime's log and error bodies carry the caller's id. */
  requestId?: string;
  /** Deadline for connecting and, except for streams, reading the whole answer. */
  timeoutMs: number;
  /** Cap on a JSON answer (default 32 MiB: a file's content as base64 and its JSON). */
  maxResponseBytes?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** Aborts the call (and, for streams, the stream). */
  signal?: AbortSignal;
}

export type ProviderSyncRequest = z.input<typeof providerSyncSchema>;
export type FileLocation = z.input<typeof fileLocationQuerySchema>;
export type FileTarget = z.input<typeof fileTargetQuerySchema>;
export type PutContentRequest = z.input<typeof putContentBodySchema>;
export type MkdirRequest = z.input<typeof mkdirBodySchema>;
export type MoveRequest = z.input<typeof moveBodySchema>;
/** `tail` as logsQuerySchema bounds it (0..10000 lines, default 200); `process` defaults to the agent. */
export type LogsRequest = {
  tail?: z.output<typeof logsQuerySchema>["tail"];
  process?: z.output<typeof logsQuerySchema>["process"];
};

export interface RuntimeStream {
  body: ReadableStream<Uint8Array>;
  /** The declared length, when the runtime sent one. */
  size: number | null;
  requestId: string | null;
}

interface Send {
  method: "GET" | "POST" | "PUT" | "DELETE";
  route: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  signal?: AbortSignal | undefined;
}

const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const ERROR_BODY_MAX_BYTES = 64 * 1024;
const TOKEN_SYNTAX = /^[\x21-\x7e]+$/;

/**
 * The one client for a runtime's port 9090 (the routes in RUNTIME_ROUTES, the shapes in
 * runtime-api.ts). Every call carries the token in a header, has a deadline, never follows a
 * redirect, and validates the answer; every failure is a RuntimeError. The caller decides which
 * address may be called (GATEWAY_ALLOWED_CIDRS) and hands over only a checked one.
 */
export class RuntimeClient {
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #requestId: string | null;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #fetch: typeof fetch;

  constructor(options: RuntimeClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new TypeError("runtime URLs are http or https");
    }
    if (base.username || base.password || base.search || base.hash) {
      throw new TypeError("runtime URLs carry no credentials, query or fragment");
    }
    if (!base.pathname.endsWith("/")) base.pathname = `${base.pathname}/`;
    if (!TOKEN_SYNTAX.test(options.token))
      throw new TypeError("the runtime token is not a valid header value");
    if (!(options.timeoutMs > 0)) throw new TypeError("timeoutMs must be positive");
    this.#base = base;
    this.#requestId = options.requestId ?? null;
    this.#headers = {
      ...runtimeAuthHeaders(options.token),
      ...(options.requestId === undefined ? {} : { "x-request-id": options.requestId }),
    };
    this.#timeoutMs = options.timeoutMs;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#fetch = options.fetch ?? fetch;
  }

  health(options?: CallOptions) {
    return this.#json(healthResponseSchema, { method: "GET", route: RUNTIME_ROUTES.health, ...options });
  }

  info(options?: CallOptions) {
    return this.#json(infoResponseSchema, { method: "GET", route: RUNTIME_ROUTES.info, ...options });
  }

  metrics(options?: CallOptions) {
    return this.#json(metricsResponseSchema, { method: "GET", route: RUNTIME_ROUTES.metrics, ...options });
  }

  /** Replaces the agent's providers (the keys travel in this body only) and restarts the agent. */
  syncProviders(sync: ProviderSyncRequest, options?: CallOptions) {
    return this.#json(providersSyncResponseSchema, {
      method: "POST",
      route: RUNTIME_ROUTES.providersSync,
      json: sync,
      ...options,
    });
  }

  /** OpenClaw: approves the gateway's pending pairing request of Nora's device (and nothing else). */
  approveGatewayDevice(requestId: string, options?: CallOptions) {
    return this.#json(gatewayDevicePairingResponseSchema, {
      method: "POST",
      route: RUNTIME_ROUTES.gatewayDevicePairing,
      json: { requestId },
      ...options,
    });
  }

  fileRoots(options?: CallOptions) {
    return this.#json(fileRootsResponseSchema, {
      method: "GET",
      route: RUNTIME_ROUTES.filesRoots,
      ...options,
    });
  }

  fileTree(location: FileLocation, options?: CallOptions) {
    return this.#json(fileTreeResponseSchema, {
      method: "GET",
      route: RUNTIME_ROUTES.filesTree,
      query: { root: location.root, path: location.path },
      ...options,
    });
  }

  getFileContent(target: FileTarget, options?: CallOptions) {
    return this.#json(fileContentResponseSchema, {
      method: "GET",
      route: RUNTIME_ROUTES.filesContent,
      query: { root: target.root, path: target.path },
      ...options,
    });
  }

  putFileContent(request: PutContentRequest, options?: CallOptions) {
    return this.#json(fileWrittenResponseSchema, {
      method: "PUT",
      route: RUNTIME_ROUTES.filesContent,
      json: request,
      ...options,
    });
  }

  /** The file's bytes as a stream; the deadline covers the answer's start, `signal` the rest. */
  downloadFile(target: FileTarget, options?: CallOptions): Promise<RuntimeStream> {
    return this.#stream({
      method: "GET",
      route: RUNTIME_ROUTES.filesDownload,
      query: { root: target.root, path: target.path },
      ...options,
    });
  }

  uploadFile(target: FileTarget, body: Uint8Array | ReadableStream<Uint8Array>, options?: CallOptions) {
    return this.#json(fileWrittenResponseSchema, {
      method: "POST",
      route: RUNTIME_ROUTES.filesUpload,
      query: { root: target.root, path: target.path },
      body,
      ...options,
    });
  }

  makeDirectory(request: MkdirRequest, options?: CallOptions) {
    return this.#json(mkdirResponseSchema, {
      method: "POST",
      route: RUNTIME_ROUTES.filesMkdir,
      json: request,
      ...options,
    });
  }

  moveFile(request: MoveRequest, options?: CallOptions) {
    return this.#json(moveResponseSchema, {
      method: "POST",
      route: RUNTIME_ROUTES.filesMove,
      json: request,
      ...options,
    });
  }

  deleteFile(target: FileTarget, options?: CallOptions) {
    return this.#json(deleteResponseSchema, {
      method: "DELETE",
      route: RUNTIME_ROUTES.files,
      query: { root: target.root, path: target.path },
      ...options,
    });
  }

  /** The last lines of the agent's log, as text. */
  async logs(request: LogsRequest = {}, options?: CallOptions): Promise<string> {
    const sent = await this.#send(
      {
        method: "GET",
        route: RUNTIME_ROUTES.logs,
        query: { tail: request.tail, process: request.process, follow: "0" },
        ...options,
      },
      true,
    );
    return new TextDecoder().decode(await this.#read(sent.response, this.#maxResponseBytes, sent));
  }

  /** The last lines, then new ones as they are written, until `signal` aborts (or the runtime ends it). */
  followLogs(request: LogsRequest = {}, options?: CallOptions): Promise<RuntimeStream> {
    return this.#stream({
      method: "GET",
      route: RUNTIME_ROUTES.logs,
      query: { tail: request.tail, process: request.process, follow: "1" },
      ...options,
    });
  }

  /** Runs one command in the workspace; the runtime bounds its time and output. */
  exec(request: ExecRequest, options?: CallOptions) {
    return this.#json(execResponseSchema, {
      method: "POST",
      route: RUNTIME_ROUTES.exec,
      json: request,
      ...options,
    });
  }

  /**
   * Opens an interactive shell on the runtime (a WebSocket; docs/runtime-contract.md). The deadline
   * covers the handshake; `signal` closes the terminal at any time.
   */
  openTerminal(
    request: TerminalRequest = {},
    options: CallOptions & { createConnection?: TerminalConnect["createConnection"] } = {},
  ): Promise<RuntimeTerminal> {
    return connectTerminal({
      url: this.#url(RUNTIME_ROUTES.terminal, { cols: request.cols, rows: request.rows }),
      headers: this.#headers,
      requestId: this.#requestId,
      timeoutMs: this.#timeoutMs,
      signal: options.signal,
      createConnection: options.createConnection,
    });
  }

  #url(route: string, query: Send["query"]): URL {
    const url = new URL(route.replace(/^\//, ""), this.#base);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  async #json<T extends z.ZodType>(schema: T, send: Send): Promise<z.infer<T>> {
    const sent = await this.#send(send, true);
    const raw = await this.#read(sent.response, this.#maxResponseBytes, sent);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      throw this.#badResponse(sent.response, "the runtime's answer is not JSON");
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join(".") || "body";
      throw this.#badResponse(sent.response, `the runtime's answer does not match the contract (${where})`);
    }
    return parsed.data;
  }

  async #stream(send: Send): Promise<RuntimeStream> {
    const sent = await this.#send(send, false);
    const body = sent.response.body;
    if (body === null) throw this.#badResponse(sent.response, "the runtime's answer has no body");
    const length = sent.response.headers.get("content-length");
    return { body, size: length === null ? null : Number(length), requestId: this.#answerId(sent.response) };
  }

  /**
   * Sends one request and returns a 2xx answer; everything else becomes a RuntimeError. With
   * `holdDeadline`, the deadline stays armed until the caller has read the body (`#read` disarms it).
   */
  async #send(send: Send, holdDeadline: boolean): Promise<Sent> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onAbort = () => controller.abort(send.signal?.reason);
    send.signal?.addEventListener("abort", onAbort, { once: true });
    if (send.signal?.aborted) onAbort();
    const done = () => {
      clearTimeout(timer);
      send.signal?.removeEventListener("abort", onAbort);
    };
    // A stream outlives the deadline but stays tied to the caller's signal.
    const disarm = () => clearTimeout(timer);
    const headers: Record<string, string> = { ...this.#headers };
    let body: RequestInit["body"];
    if (send.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(send.json);
    } else if (send.body !== undefined) {
      headers["content-type"] = "application/octet-stream";
      body = send.body;
    }
    let response: Response;
    try {
      response = await this.#fetch(this.#url(send.route, send.query), {
        method: send.method,
        headers,
        redirect: "manual",
        signal: controller.signal,
        ...(body === undefined ? {} : { body }),
        ...(send.body instanceof ReadableStream ? { duplex: "half" as const } : {}),
      });
    } catch (error) {
      done();
      if (timedOut) {
        throw new RuntimeError(
          504,
          RUNTIME_CLIENT_CODES.unreachable,
          `the runtime did not answer within ${this.#timeoutMs} ms`,
          this.#requestId,
        );
      }
      if (send.signal?.aborted) throw error;
      throw new RuntimeError(
        502,
        RUNTIME_CLIENT_CODES.unreachable,
        `the runtime cannot be reached (${causeCode(error)})`,
        this.#requestId,
      );
    }
    const sent: Sent = { response, done, timedOut: () => timedOut };
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      done();
      await response.body?.cancel();
      throw new RuntimeError(
        502,
        RUNTIME_CLIENT_CODES.redirect,
        `the runtime answered a redirect (HTTP ${response.status}), which is not followed`,
        this.#answerId(response),
      );
    }
    if (!response.ok) {
      const raw = await this.#read(response, ERROR_BODY_MAX_BYTES, sent).catch(() => null);
      throw this.#answeredError(response, raw);
    }
    if (!holdDeadline) disarm();
    return sent;
  }

  /** Reads a body up to `max` bytes, under the call's deadline, then disarms it. */
  async #read(response: Response, max: number, sent: Sent): Promise<Uint8Array> {
    const reader = response.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      if (reader === undefined) return new Uint8Array();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > max) {
          await reader.cancel();
          throw this.#badResponse(response, `the runtime's answer exceeds ${max} bytes`);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      if (sent.timedOut()) {
        throw new RuntimeError(
          504,
          RUNTIME_CLIENT_CODES.unreachable,
          `the runtime did not finish answering within ${this.#timeoutMs} ms`,
          this.#answerId(response),
        );
      }
      throw new RuntimeError(
        502,
        RUNTIME_CLIENT_CODES.unreachable,
        `the runtime's answer broke off (${causeCode(error)})`,
        this.#answerId(response),
      );
    } finally {
      sent.done();
    }
    return Buffer.concat(chunks);
  }

  #answeredError(response: Response, raw: Uint8Array | null): RuntimeError {
    let parsed: z.infer<typeof runtimeErrorBodySchema> | undefined;
    try {
      if (raw !== null) parsed = runtimeErrorBodySchema.parse(JSON.parse(new TextDecoder().decode(raw)));
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined) {
      return new RuntimeError(
        response.status,
        "runtime_error",
        `the runtime answered HTTP ${response.status}`,
        this.#answerId(response),
      );
    }
    return new RuntimeError(response.status, parsed.error, parsed.message, parsed.requestId);
  }

  #badResponse(response: Response, message: string): RuntimeError {
    return new RuntimeError(502, RUNTIME_CLIENT_CODES.badResponse, message, this.#answerId(response));
  }

  #answerId(response: Response): string | null {
    return response.headers.get("x-request-id") ?? this.#requestId;
  }
}

interface Sent {
  response: Response;
  /** Disarms the deadline and detaches from the caller's signal. */
  done: () => void;
  timedOut: () => boolean;
}

/** A short, URL-free reason for a failed connection (`ECONNREFUSED`, `UND_ERR_SOCKET`...). */
function causeCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string" && /^[A-Z_]{2,40}$/.test(cause.code)) return cause.code;
  return error instanceof Error && error.name !== "TypeError" ? error.name : "connection failed";
}
