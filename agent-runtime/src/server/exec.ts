import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { execBodySchema } from "../runtime-api.js";
import { HttpError, readJson, sendJson } from "./http.js";
import { killGroup } from "./process-group.js";
import type { FileRoots } from "./roots.js";

export interface ExecContext {
  roots: FileRoots;
  /** The root commands run in (the workspace). */
  rootName: string;
  /** Environment every command starts from (never the agent's secrets). */
  baseEnv: Record<string, string>;
  outputDefaultBytes: number;
  outputMaxBytes: number;
  timeoutDefaultMs: number;
  timeoutMaxMs: number;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  truncated: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Runs one non-interactive command: argv only (no shell unless the caller names one), in a
 * directory inside the workspace, killed with its whole process group on timeout, on reaching the
 * output cap, or when the client goes away.
 */
export async function execCommand(
  ctx: ExecContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readJson(req, execBodySchema(ctx), 2 * 1024 * 1024);
  const cwd = await ctx.roots.resolve(ctx.rootName, body.cwd, "read", false);
  if (!(await stat(cwd.path)).isDirectory())
    throw new HttpError(400, "not_a_directory", "cwd is not a directory");

  const started = performance.now();
  const [file, ...args] = body.argv as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: cwd.path,
    env: { ...ctx.baseEnv, ...body.env },
    stdio: [body.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    detached: true,
  });

  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let captured = 0;
  let truncated = false;
  let timedOut = false;
  const capture = (into: Buffer[]) => (chunk: Buffer) => {
    if (truncated) return;
    const room = body.maxOutputBytes - captured;
    if (chunk.length > room) {
      into.push(chunk.subarray(0, room));
      captured = body.maxOutputBytes;
      truncated = true;
      killGroup(child, "SIGKILL");
      return;
    }
    into.push(chunk);
    captured += chunk.length;
  };
  child.stdout?.on("data", capture(out));
  child.stderr?.on("data", capture(err));
  if (body.stdin !== undefined) {
    child.stdin?.on("error", () => {});
    child.stdin?.end(body.stdin);
  }

  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, "SIGKILL");
  }, body.timeoutMs);
  const onClientGone = () => {
    if (!res.writableFinished) killGroup(child, "SIGKILL");
  };
  res.on("close", onClientGone);

  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>(
    (resolve) => {
      child.once("error", (error) => resolve(error));
      child.once("close", (code, signal) => resolve({ code, signal }));
    },
  );
  clearTimeout(timer);
  // The group may hold grandchildren that outlived the leader.
  killGroup(child, "SIGKILL");

  if (outcome instanceof Error) {
    res.off("close", onClientGone);
    const code = (outcome as NodeJS.ErrnoException).code;
    throw new HttpError(
      code === "ENOENT" ? 404 : 400,
      code === "ENOENT" ? "command_not_found" : "spawn_failed",
      code === "ENOENT"
        ? `command not found: ${file}`
        : `could not start ${file}: ${code ?? outcome.message}`,
    );
  }
  if (res.destroyed) return;
  const result: ExecResult = {
    exitCode: outcome.code,
    signal: outcome.signal,
    timedOut,
    truncated,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    durationMs: Math.round(performance.now() - started),
  };
  sendJson(res, 200, result);
}
