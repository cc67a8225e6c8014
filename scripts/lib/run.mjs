import { spawn } from "node:child_process";

// No phone-home from the build tools either: Turborepo and Next.js report usage unless told not to.
const NO_TELEMETRY = { TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

/** Runs a command with inherited stdio and build-tool telemetry off; resolves with its exit code. */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const env = { ...(options.env ?? process.env), ...NO_TELEMETRY };
    const child = spawn(command, args, { stdio: "inherit", ...options, env });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on("error", () => resolve(127));
  });
}
