// What the Docker benchmarks share: running a program, the docker CLI, and a probe that cannot hang.
import { execFile } from "node:child_process";

/** Runs a program without a shell; resolves with its trimmed stdout, rejects with its stderr. */
export function run(file, args, timeout = 20 * 60_000) {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`));
        else resolve(stdout.trim());
      },
    );
  });
}

export const docker = (args) => run("docker", args, 120_000);

/** fetch with a referenced timer: AbortSignal.timeout's is unreferenced and cannot keep the process alive. */
export async function probe(url, init = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 1000);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The provisioner's hardening (agent-runtime's RUNTIME_CONTAINER_DEFAULTS) as `docker run` flags. */
export function hardeningFlags(D) {
  return [
    ...[
      "--user",
      D.user,
      "--hostname",
      D.hostname,
      "--init",
      "--read-only",
      "--pids-limit",
      String(D.pidsLimit),
    ],
    ...D.capDrop.flatMap((cap) => ["--cap-drop", cap]),
    ...["--security-opt", "no-new-privileges", "--memory", `${D.memoryMb}m`, "--cpus", String(D.cpus)],
    ...Object.entries(D.tmpfs).flatMap(([path, options]) => ["--tmpfs", `${path}:${options}`]),
  ];
}
