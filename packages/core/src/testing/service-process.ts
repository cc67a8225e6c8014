import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";

export interface ServiceProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first JSON log line for which `match` is true. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a built service entry point (e.g. backend-api/dist/server.js) as a real process with exactly
 * the environment given (plus PATH), the way an operator's process manager would.
 */
export function spawnService(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  cwd?: string,
): ServiceProcess {
  if (!existsSync(entry)) {
    throw new Error(`${entry} is not built; run \`npm run build:services\` first (\`npm test\` does this)`);
  }
  const child = spawn(process.execPath, [entry, ...args], {
    ...(cwd ? { cwd } : {}),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const parsedLines = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForLog(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = parsedLines().find(match);
        if (found) return found;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`log line not seen; exit=${child.exitCode}\nstdout:\n${out}\nstderr:\n${err}`);
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
