import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Forks a bench server (`script` resolved against `base`); `ready` is its first IPC message. */
export function startChild(script, base, env = {}) {
  const child = fork(fileURLToPath(new URL(script, base)), [], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...process.env, ...env },
  });
  const ready = new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ready };
}
