import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, renameSync, statSync, type WriteStream } from "node:fs";
import { roomFor } from "./backpressure.js";
import { killGroup } from "./process-group.js";

export type AgentState = "disabled" | "starting" | "running" | "backoff" | "stopped";

export interface AgentStatus {
  state: AgentState;
  pid: number | null;
  restarts: number;
  startedAt: string | null;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
}

export interface SupervisorOptions {
  /** argv of the agent process; null disables supervision. */
  command: string[] | null;
  cwd: string;
  /** Computed at every start, so a provider sync's new keys take effect on restart. */
  env: () => Promise<Record<string, string>>;
  logFile: string;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A run this long resets the backoff. */
  stableAfterMs?: number;
  stopTimeoutMs?: number;
  /** The log is rotated to `<logFile>.1` beyond this size, so a tmpfs never fills up. */
  logMaxBytes?: number;
}

/**
 * Supervises the agent process: starts it in its own process group with stdout and stderr appended
 * to the log file (rotated once at a size cap), restarts it with exponential backoff when it exits,
 * and stops the whole group (SIGTERM, then SIGKILL) on restart or shutdown.
 */
export class AgentSupervisor {
  readonly #options: SupervisorOptions;
  #child: ChildProcess | null = null;
  #log: WriteStream | null = null;
  #logBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #state: AgentState;
  #restarts = 0;
  #failures = 0;
  #startedAt: number | null = null;
  #lastExit: AgentStatus["lastExit"] = null;
  #exited: Promise<void> = Promise.resolve();

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#state = options.command === null ? "disabled" : "stopped";
  }

  status(): AgentStatus {
    return {
      state: this.#state,
      pid: this.#child?.pid ?? null,
      restarts: this.#restarts,
      startedAt: this.#startedAt === null ? null : new Date(this.#startedAt).toISOString(),
      lastExit: this.#lastExit,
    };
  }

  start(): void {
    if (this.#options.command === null || this.#child !== null) return;
    this.#state = "starting";
    void this.#spawn();
  }

  async #spawn(): Promise<void> {
    const command = this.#options.command;
    if (command === null || this.#state === "stopped") return;
    const [file, ...args] = command as [string, ...string[]];
    let env: Record<string, string>;
    try {
      env = await this.#options.env();
    } catch (error) {
      this.#appendLine(`[nora] cannot prepare the agent environment: ${(error as Error).message}`);
      this.#scheduleRestart();
      return;
    }
    if (this.#stopped()) return;
    const child = spawn(file, args, {
      cwd: this.#options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.#child = child;
    this.#startedAt = Date.now();
    // When the log file cannot keep up, stop reading the agent's output until it drains: the pipe
    // then blocks the agent's writes, instead of the backlog growing in this process.
    const write = (chunk: Buffer) => {
      const log = this.#write(chunk);
      if (log === null) return;
      child.stdout?.pause();
      child.stderr?.pause();
      void roomFor(log).then(() => {
        child.stdout?.resume();
        child.stderr?.resume();
      });
    };
    child.stdout?.on("data", write);
    child.stderr?.on("data", write);
    this.#exited = new Promise((resolve) => {
      child.once("error", (error) => {
        this.#appendLine(`[nora] agent failed to start: ${error.message}`);
      });
      child.once("close", (code, signal) => {
        this.#child = null;
        this.#lastExit = { code, signal, at: new Date().toISOString() };
        this.#appendLine(`[nora] agent exited (code ${code ?? "-"}, signal ${signal ?? "-"})`);
        resolve();
        if (this.#state === "running" || this.#state === "starting") this.#scheduleRestart();
      });
    });
    if (child.pid !== undefined) this.#state = "running";
  }

  /** A method, not an inline check: the state can change while #spawn awaits. */
  #stopped(): boolean {
    return this.#state === "stopped";
  }

  #scheduleRestart(): void {
    const ranFor = this.#startedAt === null ? 0 : Date.now() - this.#startedAt;
    if (ranFor >= (this.#options.stableAfterMs ?? 60_000)) this.#failures = 0;
    const delay = Math.min(this.#options.initialDelayMs * 2 ** this.#failures, this.#options.maxDelayMs);
    this.#failures++;
    this.#state = "backoff";
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#restarts++;
      this.#state = "starting";
      void this.#spawn();
    }, delay);
  }

  #openLog(): WriteStream {
    const stream = createWriteStream(this.#options.logFile, { flags: "a", mode: 0o640 });
    // A full or vanished log directory must not take the server down; the agent keeps running.
    stream.on("error", (error) => {
      process.stderr.write(
        `${JSON.stringify({ level: "error", msg: "agent log write failed", error: error.message })}\n`,
      );
      if (this.#log === stream) this.#log = null;
    });
    this.#logBytes = statSync(this.#options.logFile, { throwIfNoEntry: false })?.size ?? 0;
    return stream;
  }

  /** Appends to the log; returns the log stream when it asks to wait for `drain`, else null. */
  #write(chunk: Buffer | string): WriteStream | null {
    const limit = this.#options.logMaxBytes ?? 10 * 1024 * 1024;
    if (this.#log !== null && this.#logBytes + chunk.length > limit) {
      this.#log.end();
      this.#log = null;
      try {
        renameSync(this.#options.logFile, `${this.#options.logFile}.1`);
      } catch {
        // nothing to rotate
      }
    }
    this.#log ??= this.#openLog();
    this.#logBytes += chunk.length;
    return this.#log.write(chunk) ? null : this.#log;
  }

  #appendLine(line: string): void {
    this.#write(`${line}\n`);
  }

  async #stopChild(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const child = this.#child;
    if (child === null) return;
    killGroup(child, "SIGTERM");
    const killer = setTimeout(() => killGroup(child, "SIGKILL"), this.#options.stopTimeoutMs ?? 10_000);
    await this.#exited;
    clearTimeout(killer);
    killGroup(child, "SIGKILL");
  }

  /** Stops the agent and starts it again at once (a deliberate restart resets the backoff). */
  async restart(): Promise<void> {
    if (this.#options.command === null) return;
    this.#state = "stopped";
    await this.#stopChild();
    this.#failures = 0;
    this.#restarts++;
    this.#state = "starting";
    await this.#spawn();
  }

  async stop(): Promise<void> {
    if (this.#options.command === null) return;
    this.#state = "stopped";
    await this.#stopChild();
    await new Promise<void>((resolve) => {
      if (this.#log === null) resolve();
      else this.#log.end(resolve);
    });
    this.#log = null;
  }
}
