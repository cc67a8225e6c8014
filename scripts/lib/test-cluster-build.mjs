// Starts infra/test-cluster/build.sh in the background so a cold build of the Kubernetes test
// cluster (15-30 min on 2 cores, once per machine) overlaps lint, type-check, build and the other
// tests. The *.k8s.test.ts files run last (vitest project "k8s"); their startTestCluster() calls
// build.sh again, which waits on the same lock and then finds the binaries cached.
import { spawn, spawnSync } from "node:child_process";
import { openSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BUILD_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), "../../infra/test-cluster/build.sh");

/** Whether `go` is on the PATH. */
export function haveGo() {
  const result = spawnSync("go", ["version"], { stdio: "ignore" });
  return result.error === undefined && result.status === 0;
}

/**
 * Starts the build (niced; it outlives an early exit of `npm test`) and returns its log path and a
 * function telling whether it still runs; null when Go is missing.
 */
export function startTestClusterBuild() {
  if (!haveGo()) return null;
  const logPath = join(tmpdir(), `nora-test-cluster-build-${process.pid}.log`);
  const out = openSync(logPath, "w");
  const child = spawn("nice", ["-n", "10", BUILD_SCRIPT], { stdio: ["ignore", out, out] });
  let exit = null;
  child.on("exit", (code, signal) => {
    exit = code ?? signal;
  });
  child.on("error", (error) => {
    exit = error.message;
  });
  child.unref();
  return { logPath, running: () => exit === null, exit: () => exit };
}
