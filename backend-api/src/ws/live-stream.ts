import type { Duplex } from "node:stream";
import type { Logger } from "@nora/core";
import type { StreamSlot } from "@nora/domain/runtime-access/stream-slots";
import type { WebSocket } from "ws";
import type { AuthContext, WorkspaceAccess } from "../http/auth-context.js";
import { CLOSE, type StreamChannel } from "./types.js";

/** The caller as a re-check found it. */
export interface Recheck {
  auth: AuthContext;
  access: WorkspaceAccess;
}

export interface LiveStreamOptions {
  log: Logger;
  stream: string;
  /** A client with no room for output this long is dropped (config.streams.stallMs). */
  stallMs: number;
  /** Ping interval; a peer that has not answered the previous ping by the next one is dropped. */
  keepaliveMs: number;
  /** Re-checks the caller (session, key, role); throws the AppError that refuses it. */
  reauthorize: () => Promise<Recheck>;
  /** The caller is re-checked at least this often, besides every auth change. */
  recheckMs: number;
  onEnded: (stream: LiveStream) => void;
}

/** Output beyond this is not queued: the stream waits until the client has taken it down to LOW_WATER. */
export const HIGH_WATER_BYTES = 512 * 1024;
const LOW_WATER_BYTES = 128 * 1024;
const ROOM_POLL_MS = 20;
/** Re-checks after auth changes are coalesced: at most one per stream per second. */
const RECHECK_MIN_GAP_MS = 1_000;
/** A client that does not complete the closing handshake is cut after this. */
const CLOSE_GRACE_MS = 2_000;

/**
 * One stream between its upgrade and its end. Everything it holds (the upstream, through `signal`; the
 * slot; its timers; the socket) is released in `end`, which runs once, whatever ends it first: the
 * client leaving, a stall, a failed re-check, the stream itself, or shutdown.
 */
export class LiveStream {
  readonly #options: LiveStreamOptions;
  readonly #abort = new AbortController();
  readonly #started = Date.now();
  #slot: StreamSlot | undefined;
  #ws: WebSocket | undefined;
  #raw: Duplex | undefined;
  #timers: NodeJS.Timeout[] = [];
  #ended = false;
  #checking = false;
  #checkAgain = false;
  /** An auth change arrived before the upgrade completed: check right after it. */
  #changedBeforeUpgrade = false;
  #lastCheck = Date.now();
  #scheduled: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;
  #stillAllowed: ((caller: Recheck) => boolean) | undefined;

  constructor(options: LiveStreamOptions) {
    this.#options = options;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves once the socket is gone (immediately for a stream that never upgraded). */
  get closed(): Promise<void> {
    return this.#closed ?? Promise.resolve();
  }

  holdSlot(slot: StreamSlot): void {
    if (this.#ended) slot.release();
    else this.#slot = slot;
  }

  /** A stream whose grant depends on the caller's role: each re-check also asks it (false: 4403). */
  requireStillAllowed(check: (caller: Recheck) => boolean): void {
    this.#stillAllowed = check;
  }

  /** The accepted WebSocket: keepalive and periodic re-checks start, and its close ends the stream. */
  attachWebSocket(ws: WebSocket): StreamChannel {
    this.#ws = ws;
    this.#closed = new Promise((resolve) => ws.once("close", () => resolve()));
    ws.on("error", () => undefined);
    ws.once("close", (code) => this.end(code, "client closed"));
    let alive = true;
    ws.on("pong", () => {
      alive = true;
    });
    this.#every(this.#options.keepaliveMs, () => {
      // While the door holds the client's input back, its pong could not be read: the input stall
      // bound judges that client instead.
      if (ws.isPaused) return;
      if (!alive) return this.end(CLOSE.goingAway, "no answer to ping", { cut: true });
      alive = false;
      ws.ping();
    });
    this.#startRechecks();
    this.#options.log.info({ stream: this.#options.stream }, "stream opened");
    return this.#channel(ws);
  }

  /** A raw upgrade handed to its handler: the door still re-checks the caller and ends it. */
  attachRaw(socket: Duplex): void {
    this.#raw = socket;
    this.#closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.once("close", () => this.end(CLOSE.normal, "client closed"));
    this.#startRechecks();
    this.#options.log.info({ stream: this.#options.stream }, "stream opened");
  }

  /** Asks for a re-check of the caller (auth changed somewhere); coalesced, at most one per second. */
  recheckSoon(): void {
    if (this.#ended) return;
    if (!this.#ws && !this.#raw) {
      this.#changedBeforeUpgrade = true;
      return;
    }
    if (this.#checking) {
      this.#checkAgain = true;
      return;
    }
    const wait = this.#lastCheck + RECHECK_MIN_GAP_MS - Date.now();
    if (wait > 0) {
      this.#scheduled ??= setTimeout(() => {
        this.#scheduled = undefined;
        this.recheckSoon();
      }, wait);
      return;
    }
    void this.#recheck();
  }

  /** Ends the stream and releases everything, once. `cut` drops the connection without a handshake. */
  end(code: number, reason: string, options: { cut?: boolean } = {}): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#abort.abort();
    this.#slot?.release();
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#scheduled) clearTimeout(this.#scheduled);
    this.#options.onEnded(this);
    const ws = this.#ws;
    if (ws) {
      if (ws.readyState === ws.OPEN) ws.close(code, reason);
      if (options.cut) ws.terminate();
      else setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    }
    this.#raw?.destroy();
    if (ws || this.#raw) {
      const log = code === CLOSE.normal || code === CLOSE.goingAway ? "info" : "warn";
      this.#options.log[log](
        { stream: this.#options.stream, code, reason, durationMs: Date.now() - this.#started },
        "stream closed",
      );
    }
  }

  #every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  #startRechecks(): void {
    this.#lastCheck = Date.now();
    this.#every(this.#options.recheckMs, () => this.recheckSoon());
    if (this.#changedBeforeUpgrade) void this.#recheck();
  }

  async #recheck(): Promise<void> {
    this.#checking = true;
    this.#lastCheck = Date.now();
    try {
      const caller = await this.#options.reauthorize();
      if (this.#stillAllowed && !this.#stillAllowed(caller)) {
        this.#options.log.info({ stream: this.#options.stream }, "stream caller's access was reduced");
        this.end(CLOSE.forbidden, "access reduced");
      }
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const code =
        status === 401
          ? CLOSE.unauthorized
          : status === 403 || status === 404
            ? CLOSE.forbidden
            : CLOSE.internal;
      const reason = code === CLOSE.internal ? "access could not be checked" : "access revoked";
      this.#options.log.info({ stream: this.#options.stream, status }, "stream caller no longer allowed");
      this.end(code, reason);
    } finally {
      this.#checking = false;
    }
    if (this.#checkAgain && !this.#ended) {
      this.#checkAgain = false;
      this.recheckSoon();
    }
  }

  #channel(ws: WebSocket): StreamChannel {
    const waitForRoom = (): Promise<boolean> =>
      new Promise((resolve) => {
        const since = Date.now();
        const poll = setInterval(() => {
          if (this.#ended) {
            clearInterval(poll);
            resolve(false);
          } else if (ws.bufferedAmount <= LOW_WATER_BYTES) {
            clearInterval(poll);
            resolve(true);
          } else if (Date.now() - since > this.#options.stallMs) {
            clearInterval(poll);
            this.#options.log.warn(
              { stream: this.#options.stream, stallMs: this.#options.stallMs, buffered: ws.bufferedAmount },
              "stream client stalled; dropping it",
            );
            this.end(CLOSE.stalled, "client stalled", { cut: true });
            resolve(false);
          }
        }, ROOM_POLL_MS);
      });
    const sendFrame = async (data: string | Buffer, binary: boolean): Promise<boolean> => {
      if (this.#ended || ws.readyState !== ws.OPEN) return false;
      ws.send(data, { binary });
      if (ws.bufferedAmount <= HIGH_WATER_BYTES) return true;
      return waitForRoom();
    };
    return {
      signal: this.signal,
      send: (message) => sendFrame(JSON.stringify(message), false),
      sendBytes: (data) => sendFrame(data, true),
      sendText: (text) => sendFrame(text, false),
      onMessage: (listener) => {
        ws.on("message", (data, isBinary) => {
          if (!isBinary) this.#holdInputUntil(ws, listener(String(data)));
        });
      },
      onBytes: (listener) => {
        ws.on("message", (data, isBinary) => {
          if (!isBinary) return;
          const bytes = Buffer.isBuffer(data)
            ? data
            : Array.isArray(data)
              ? Buffer.concat(data)
              : Buffer.from(data);
          this.#holdInputUntil(ws, listener(bytes));
        });
      },
      close: (code, reason) => this.end(code, reason),
    };
  }

  /**
   * Stops reading the client while its upstream has no room (`wait` pending). Paused, the door would
   * not even see the client leave: an upstream that takes nothing for the stall bound ends the stream
   * (the client's input can never get through anyway).
   */
  #holdInputUntil(ws: WebSocket, wait: undefined | Promise<unknown>): void {
    if (!wait) return;
    ws.pause();
    const stalled = setTimeout(() => {
      this.#options.log.warn(
        { stream: this.#options.stream, stallMs: this.#options.stallMs },
        "stream upstream took no input; dropping the stream",
      );
      this.end(CLOSE.stalled, "upstream stalled", { cut: true });
    }, this.#options.stallMs);
    stalled.unref();
    const resume = () => {
      clearTimeout(stalled);
      if (!this.#ended && ws.isPaused) ws.resume();
    };
    wait.then(resume, resume);
  }
}
