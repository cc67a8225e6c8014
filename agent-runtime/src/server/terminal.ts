import { existsSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { constants as osConstants } from "node:os";
import type { Duplex } from "node:stream";
import { type IPty, spawn } from "@lydell/node-pty";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { RUNTIME_ROUTES } from "../endpoints.js";
import {
  TERMINAL_CLOSE_CODES,
  type TerminalExit,
  terminalClientMessageSchema,
  terminalQuerySchema,
} from "../runtime-api.js";
import { requireToken } from "./auth.js";
import { HttpError, readQuery, requestIdOf } from "./http.js";
import { killSession } from "./process-group.js";
import { PtyInput } from "./pty-input.js";

export interface TerminalContext {
  /** Where the shell starts (the workspace). */
  cwd: string;
  /** The shell's environment (the server's own, never the agent's secrets). */
  baseEnv: Record<string, string>;
  runtimeToken: string | null;
  maxSessions: number;
  idleMs: number;
  /** A client that leaves output unread past the high-water mark for this long is dropped. */
  stallMs: number;
  /** Output is paused while more than this many bytes wait to be sent to the client. */
  highWaterBytes?: number;
  /** After SIGHUP, how long the session's processes get before SIGKILL. */
  hangupGraceMs?: number;
}

const DEFAULT_HIGH_WATER_BYTES = 256 * 1024;
const DEFAULT_HANGUP_GRACE_MS = 2000;
/** Keystrokes and pastes: one message is at most this big (ws closes with 1009 beyond). */
const MAX_MESSAGE_BYTES = 1024 * 1024;

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(osConstants.signals).map(([name, number]) => [number, name]),
);

/** The server picks the shell; a client cannot choose one. */
function pickShell(): string {
  return existsSync("/bin/bash") ? "/bin/bash" : "/bin/sh";
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

function log(level: "info" | "error", msg: string, fields: Record<string, unknown>): void {
  const line = `${JSON.stringify({ level, msg, ...fields })}\n`;
  if (level === "error") process.stderr.write(line);
  else process.stdout.write(line);
}

/** Answers a refused upgrade on the raw socket, in the API's error shape, and closes it. */
function refuseUpgrade(socket: Duplex, error: HttpError, requestId: string): void {
  const body = JSON.stringify({ error: error.code, message: error.message, requestId });
  socket.end(
    [
      `HTTP/1.1 ${error.status} ${STATUS_TEXT[error.status] ?? "Error"}`,
      "content-type: application/json; charset=utf-8",
      `content-length: ${Buffer.byteLength(body)}`,
      "cache-control: no-store",
      `x-request-id: ${requestId}`,
      "connection: close",
      "",
      body,
    ].join("\r\n"),
  );
}

function rawBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data));
}

interface Session {
  pty: IPty;
  ws: WebSocket;
  /** Resolves once the shell has exited and its session has been swept. */
  ended: Promise<void>;
  hangUp(closeCode: number, reason: string): void;
}

/**
 * `GET /terminal`: an interactive shell on a PTY per WebSocket. Binary frames carry the terminal's
 * bytes both ways; text frames are JSON control messages (a resize from the client, the exit status
 * from the server). However a session ends, every process of the shell's session is killed (SIGHUP,
 * then SIGKILL) and the PTY is closed.
 */
export class TerminalServer {
  readonly #ctx: TerminalContext;
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  readonly #sessions = new Set<Session>();
  #stopping = false;

  constructor(ctx: TerminalContext) {
    this.#ctx = ctx;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The http server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const requestId = requestIdOf(req);
    socket.on("error", () => {});
    try {
      const url = new URL(req.url ?? "/", "http://runtime");
      requireToken(req.headers.authorization, this.#ctx.runtimeToken);
      if (url.pathname !== RUNTIME_ROUTES.terminal) throw new HttpError(404, "not_found", "no such route");
      if (req.method !== "GET") throw new HttpError(405, "method_not_allowed", "method not allowed");
      if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
        throw new HttpError(400, "invalid_request", "only a websocket upgrade is accepted");
      }
      const size = readQuery(url, terminalQuerySchema);
      if (this.#stopping) throw new HttpError(503, "stopping", "the runtime server is stopping");
      if (this.#sessions.size >= this.#ctx.maxSessions) {
        throw new HttpError(
          429,
          "too_many_terminals",
          `at most ${this.#ctx.maxSessions} terminals may be open at once`,
        );
      }
      // ws completes the handshake synchronously (no verifyClient), so the count above stays exact.
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#start(ws, size, requestId));
    } catch (caught) {
      const error =
        caught instanceof HttpError ? caught : new HttpError(500, "internal_error", "internal error");
      if (!(caught instanceof HttpError)) {
        log("error", "terminal upgrade failed", { requestId, error: String(caught) });
      } else {
        log("info", "terminal refused", { requestId, status: error.status, code: error.code });
      }
      refuseUpgrade(socket, error, requestId);
    }
  }

  /** Closes every terminal (1001) and resolves once their processes are gone. */
  async close(): Promise<void> {
    this.#stopping = true;
    const sessions = [...this.#sessions];
    for (const session of sessions) {
      session.hangUp(TERMINAL_CLOSE_CODES.serverStopping, "server stopping");
    }
    await Promise.all(sessions.map((session) => session.ended));
    this.#wss.close();
  }

  #start(ws: WebSocket, size: { cols: number; rows: number }, requestId: string): void {
    const started = performance.now();
    const shell = pickShell();
    let pty: IPty;
    try {
      pty = spawn(shell, [], {
        name: "xterm-256color",
        cols: size.cols,
        rows: size.rows,
        cwd: this.#ctx.cwd,
        env: { ...this.#ctx.baseEnv, TERM: "xterm-256color" },
        encoding: null,
      });
    } catch (error) {
      log("error", "terminal could not start", { requestId, shell, error: String(error) });
      ws.close(TERMINAL_CLOSE_CODES.spawnFailed, "could not start a shell");
      return;
    }
    const sid = pty.pid;
    const highWater = this.#ctx.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
    const graceMs = this.#ctx.hangupGraceMs ?? DEFAULT_HANGUP_GRACE_MS;
    let exited = false;
    let paused = false;
    let unsent = 0;
    let stallTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    let endReason = "exited";
    let resolveEnded = () => {};
    const ended = new Promise<void>((resolve) => {
      resolveEnded = resolve;
    });

    const hangUp = (closeCode: number, reason: string) => {
      if (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN) ws.close(closeCode, reason);
      // Input held back is not read any more, so the client's answer to the close would never be.
      if (ws.isPaused) ws.terminate();
      endProcesses(reason);
    };
    // The socket is gone (or going): the shell's session goes too.
    const endProcesses = (reason: string) => {
      if (exited || killTimer !== undefined) return;
      endReason = reason;
      input?.close();
      killSession(sid, "SIGHUP");
      killTimer = setTimeout(() => killSession(sid, "SIGKILL"), graceMs);
    };
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => hangUp(TERMINAL_CLOSE_CODES.idle, "idle timeout"), this.#ctx.idleMs);
    };
    // Input is read from the client only as fast as the shell takes it (pty-input.ts).
    const fd = (pty as unknown as { fd?: unknown }).fd;
    // Paused, the socket's close is not seen either: input the shell takes none of for the stall
    // bound ends the session (nothing the client sends, not even ^C, could get through).
    let inputStallTimer: NodeJS.Timeout | undefined;
    const input =
      typeof fd === "number"
        ? new PtyInput(fd, {
            lowWaterBytes: highWater / 2,
            onDrain: () => {
              clearTimeout(inputStallTimer);
              if (ws.readyState === ws.OPEN && ws.isPaused) ws.resume();
            },
          })
        : null;
    const writeInput = (bytes: Buffer) => {
      if (!input) return pty.write(bytes.toString("utf8"));
      input.write(bytes);
      if (input.pending <= highWater || ws.isPaused) return;
      ws.pause();
      inputStallTimer = setTimeout(() => {
        log("info", "terminal client dropped", { requestId, pid: sid, reason: "input stalled" });
        ws.terminate();
        endProcesses("input stalled");
      }, this.#ctx.stallMs);
    };
    const resume = () => {
      if (!paused) return;
      paused = false;
      clearTimeout(stallTimer);
      pty.resume();
    };

    const session: Session = { pty, ws, ended, hangUp };
    this.#sessions.add(session);
    log("info", "terminal opened", { requestId, pid: sid, shell, cols: size.cols, rows: size.rows });
    armIdle();

    pty.onData((data: string | Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      armIdle();
      // A send's callback runs once its frame has been handed to the kernel: `unsent` counts the
      // bytes still queued in this process, and reaches 0 once the client has taken everything.
      unsent += data.length;
      ws.send(data, { binary: true }, () => {
        unsent -= data.length;
        if (paused && unsent <= highWater / 2) resume();
      });
      if (!paused && unsent > highWater) {
        paused = true;
        pty.pause();
        stallTimer = setTimeout(() => {
          log("info", "terminal client dropped", { requestId, pid: sid, reason: "stalled" });
          ws.terminate();
          endProcesses("client stalled");
        }, this.#ctx.stallMs);
      }
    });

    pty.onExit(({ exitCode, signal }) => {
      exited = true;
      input?.close();
      clearTimeout(inputStallTimer);
      clearTimeout(killTimer);
      clearTimeout(stallTimer);
      clearTimeout(idleTimer);
      // Whatever the shell left running in its session (background jobs, nohup) goes with it.
      killSession(sid, "SIGKILL");
      const exit: TerminalExit =
        signal !== undefined && signal > 0
          ? { type: "exit", code: null, signal: SIGNAL_NAMES.get(signal) ?? `SIG${signal}` }
          : { type: "exit", code: exitCode, signal: null };
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify(exit), () => ws.close(TERMINAL_CLOSE_CODES.exited, "exited"));
      }
      this.#sessions.delete(session);
      log("info", "terminal closed", {
        requestId,
        pid: sid,
        reason: endReason,
        exitCode: exit.code,
        signal: exit.signal,
        durationMs: Math.round(performance.now() - started),
      });
      resolveEnded();
    });

    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (exited) return;
      armIdle();
      const bytes = rawBytes(data);
      if (isBinary) {
        // Bytes as they come: a keystroke's UTF-8 split across frames reaches the PTY whole.
        writeInput(bytes);
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(bytes.toString("utf8"));
      } catch {
        message = undefined;
      }
      const parsed = terminalClientMessageSchema.safeParse(message);
      if (!parsed.success) {
        log("info", "terminal control message refused", { requestId, pid: sid });
        hangUp(TERMINAL_CLOSE_CODES.invalidMessage, "invalid control message");
        return;
      }
      pty.resize(parsed.data.cols, parsed.data.rows);
    });
    ws.on("error", () => {});
    ws.on("close", () => {
      clearTimeout(idleTimer);
      endProcesses("client closed");
    });
  }
}
