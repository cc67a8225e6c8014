import type { ChildProcess } from "node:child_process";

/** Signals a detached child's whole process group, so grandchildren go too. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
