import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "@nora/core";
import type { ApiKeyScope } from "@nora/domain/api-keys/scopes";
import type { StreamKind } from "@nora/domain/runtime-access/stream-slots";
import type { z } from "zod";
import type { AuthContext, WorkspaceAccess } from "../http/auth-context.js";

/** What a stream needs of its caller: the agent's workspace role, or an API key's scope. */
export interface StreamRequirement {
  role: "viewer" | "editor";
  scope: ApiKeyScope;
}

/** What a stream gets once its caller passed every check (credentials, role, slot). */
export interface StreamContext<Q> {
  agentId: string;
  query: Q;
  requestId: string;
  log: Logger;
  auth: AuthContext;
  /** The caller's role in the agent's workspace (for a key: its creator's), as the requirement found it. */
  access: WorkspaceAccess;
  /** Aborted the moment the stream ends, whatever ends it: pass it to every upstream call. */
  signal: AbortSignal;
}

/** A WebSocket as a stream sees it: messages out with backpressure, a close with a reason. */
export interface StreamChannel {
  /**
   * Sends one JSON message. Resolves true once the client has room for more, false when the stream
   * ended (the caller stops). A client that has no room for STREAM_STALL_MS is dropped (4408).
   */
  send(message: object): Promise<boolean>;
  /** Sends one binary frame (a terminal's output), with the same backpressure as `send`. */
  sendBytes(data: Buffer): Promise<boolean>;
  /** Sends one text frame as it is (a relayed frame), with the same backpressure as `send`. */
  sendText(text: string): Promise<boolean>;
  /**
   * Text frames from the client (a terminal's control messages, a relayed request); ignored unless a
   * stream listens. Like `onBytes`, a listener that returns a promise holds the client's input back.
   */
  onMessage(listener: (data: string) => undefined | Promise<unknown>): void;
  /**
   * Binary frames from the client (a terminal's keystrokes); ignored unless a stream listens. A
   * listener that returns a promise stops the door reading from the client until it settles: input
   * goes upstream only as fast as the upstream takes it, never piling up here. An upstream that takes
   * nothing for STREAM_STALL_MS ends the stream (4408).
   */
  onBytes(listener: (data: Buffer) => undefined | Promise<unknown>): void;
  close(code: number, reason: string): void;
  readonly signal: AbortSignal;
}

/**
 * What `open` decided, after its own checks (e.g. the agent is running, the runtime answered): either
 * a WebSocket the door accepts and hands over, or the raw upgrade for a handler that speaks to its
 * upstream itself (the gateway's WebSocket pipe). Either way the door keeps re-checking the caller and
 * ends the stream at revocation and at shutdown.
 */
export type OpenedStream =
  | {
      transport: "websocket";
      run(channel: StreamChannel): Promise<void>;
      /**
       * Asked after every successful re-check with the caller as it is now: false ends the stream
       * with 4403 (e.g. a connection granted write scopes whose caller is a viewer now).
       */
      stillAllowed?(caller: { auth: AuthContext; access: WorkspaceAccess }): boolean;
    }
  | {
      transport: "raw";
      /** Takes over the socket; `signal` (StreamContext) aborts when the door ends it. */
      pipe(req: IncomingMessage, socket: Duplex, head: Buffer): void;
    };

/**
 * One stream at `/api/ws/agents/:agentId/<name>`. The door runs, in order: the query credential guard,
 * `agentId` and `query` validation (400), the cookie's Origin, authentication, the requirement (404 for
 * another workspace's agent), a stream slot of `kind` (429), then `open` (its own 4xx), then the upgrade.
 */
export interface StreamDefinition<Q = unknown> {
  name: string;
  /** Where it is served, when not at `/api/ws/agents/:agentId/<name>` (an agent web UI's own socket). */
  path?: string;
  /** The largest frame a client may send (default 64 KiB). */
  maxFrameBytes?: number;
  kind: StreamKind;
  requirement: StreamRequirement;
  query: z.ZodType<Q>;
  open(ctx: StreamContext<Q>): Promise<OpenedStream>;
}

/** Registers a stream keeping its query type (the door's list holds them as StreamDefinition<unknown>). */
export function defineStream<Q>(definition: StreamDefinition<Q>): StreamDefinition<unknown> {
  return definition as StreamDefinition<unknown>;
}

/** Close codes the door uses (4000-4999 are the application's own). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  internal: 1011,
  unauthorized: 4401,
  forbidden: 4403,
  stalled: 4408,
  agentStopped: 4409,
} as const;
