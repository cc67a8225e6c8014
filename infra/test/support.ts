import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** Runs a program without a shell; a non-zero exit is a result, not an error. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 32 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        resolvePromise({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

function findExecutable(name: string, extraDirs: readonly string[]): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs].filter((d) => d !== "");
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface Tool {
  /** Absolute path, or null when the tool is not installed. */
  path: string | null;
  /** True when the tests that need it should be skipped (missing, and NORA_CI is not 1). */
  skip: boolean;
  /** Appended to a suite's title so a skip explains itself in the report. */
  note: string;
}

/**
 * Locates a system tool some infra tests need. When it is missing the tests are skipped locally,
 * but with NORA_CI=1 they run and fail, so CI cannot pass without actually checking anything.
 */
export function tool(name: string, extraDirs: readonly string[] = ["/usr/sbin", "/usr/local/sbin"]): Tool {
  const path = findExecutable(name, extraDirs);
  const skip = path === null && process.env.NORA_CI !== "1";
  const note = skip ? ` (skipped: ${name} is not installed; NORA_CI=1 turns this into a failure)` : "";
  return { path, skip, note };
}

/** The tool's path, failing the test with a clear message when it is missing. */
export function required(t: Tool, name: string): string {
  if (t.path === null) throw new Error(`${name} is required when NORA_CI=1 but is not installed`);
  return t.path;
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "nora-infra-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** NAME=value assignments of a dotenv file, in order (comments and blank lines skipped). */
export function parseEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined) values.set(match[1], match[2] ?? "");
  }
  return values;
}

/** Replaces `search` in `text`, failing loudly when it is absent (the file changed shape). */
export function replaceOrFail(text: string, search: string, replacement: string): string {
  if (!text.includes(search)) throw new Error(`expected to find ${JSON.stringify(search)}`);
  return text.split(search).join(replacement);
}
