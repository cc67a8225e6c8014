import { execFile } from "node:child_process";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; a non-zero exit is a result, not an error. */
export function runCommand(
  file: string,
  args: readonly string[],
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8", env },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

export async function docker(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const result = await runCommand("docker", args, timeoutMs);
  if (result.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim();
}

export async function dockerAvailable(): Promise<boolean> {
  try {
    return (await runCommand("docker", ["version", "--format", "{{.Server.Version}}"], 10_000)).code === 0;
  } catch {
    return false;
  }
}

/** The host port Docker published for a container port (bound to 127.0.0.1). */
export async function publishedPort(container: string, port: number): Promise<number> {
  const mapping = await docker(["port", container, `${port}/tcp`]);
  const match = /127\.0\.0\.1:(\d+)/.exec(mapping);
  if (!match?.[1]) throw new Error(`port ${port} of ${container} is not published on 127.0.0.1: ${mapping}`);
  return Number(match[1]);
}
