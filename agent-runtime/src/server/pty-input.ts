import { writeSync } from "node:fs";

/**
 * While the PTY is full, how soon a write is tried again: at once after progress (a reading program
 * takes a paste at full speed), backing off to the maximum while the program takes nothing.
 */
const RETRY_MIN_MS = 1;
const RETRY_MAX_MS = 50;

/**
 * Keystrokes and pastes toward a PTY master, written without ever blocking the event loop. node-pty's
 * own `write` goes through a libuv TTY handle that, for a master, falls back to blocking writes: with
 * a program that does not read its input (a paste into `sleep`), the first write past the PTY's few
 * KiB of buffer would stall the whole runtime server until the program reads. The master's fd is
 * non-blocking, so a synchronous write here returns at once with what fit (or EAGAIN); the rest waits
 * in `pending` and is tried again shortly (RETRY_MIN_MS..RETRY_MAX_MS). The caller bounds `pending` by not reading more
 * input past its high-water mark, and resumes at `onDrain`.
 */
export class PtyInput {
  readonly #fd: number;
  readonly #lowWater: number;
  readonly #onDrain: () => void;
  readonly #queue: Buffer[] = [];
  #pending = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #draining = false;
  #retryMs = RETRY_MIN_MS;

  constructor(fd: number, options: { lowWaterBytes: number; onDrain: () => void }) {
    this.#fd = fd;
    this.#lowWater = options.lowWaterBytes;
    this.#onDrain = options.onDrain;
  }

  /** Bytes accepted but not yet taken by the PTY. */
  get pending(): number {
    return this.#pending;
  }

  write(data: Buffer): void {
    if (this.#closed || data.length === 0) return;
    this.#queue.push(data);
    this.#pending += data.length;
    // Whoever stopped reading above the low-water mark hears when it is back under it.
    if (this.#pending > this.#lowWater) this.#draining = true;
    if (this.#timer === undefined) this.#flush();
  }

  /** Drops what is still queued (the session is over). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#pending = 0;
  }

  #flush(): void {
    this.#timer = undefined;
    const before = this.#pending;
    while (!this.#closed && this.#queue.length > 0) {
      const head = this.#queue[0] as Buffer;
      let written: number;
      try {
        written = writeSync(this.#fd, head);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") break;
        // EIO and the like: the terminal is going away, and its input with it.
        this.close();
        return;
      }
      this.#pending -= written;
      if (written < head.length) {
        this.#queue[0] = head.subarray(written);
        break;
      }
      this.#queue.shift();
    }
    if (this.#closed) return;
    if (this.#queue.length > 0) {
      this.#retryMs = this.#pending < before ? RETRY_MIN_MS : Math.min(this.#retryMs * 2, RETRY_MAX_MS);
      this.#timer = setTimeout(() => this.#flush(), this.#retryMs);
      this.#timer.unref();
    }
    if (this.#draining && this.#pending <= this.#lowWater) {
      this.#draining = false;
      this.#onDrain();
    }
  }
}
