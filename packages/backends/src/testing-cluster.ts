import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * Test tooling (`@nora/backends/testing-cluster`): a real Kubernetes control plane for tests, built
 * from `infra/test-cluster/` (kube-apiserver over embedded etcd, kube-controller-manager), on
 * 127.0.0.1 only. Not for production code.
 */

const run = promisify(execFile);
const BUILD_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../infra/test-cluster/build.sh");

let binary: Promise<string> | undefined;

/** Builds (once per machine, cached by content hash) or reuses the test-cluster binary; its path. */
export function testClusterBinary(): Promise<string> {
  binary ??= run(BUILD_SCRIPT, [], { maxBuffer: 64 * 1024 * 1024, timeout: 40 * 60_000 }).then(
    ({ stdout }) => {
      const path = stdout.trim().split("\n").pop()?.trim() ?? "";
      if (!path.endsWith("/test-cluster")) {
        throw new Error(`build.sh printed no binary path: ${JSON.stringify(stdout.slice(-500))}`);
      }
      return path;
    },
  );
  return binary;
}

/** Whether this machine can build the test cluster (Go on the PATH). */
export async function canBuildTestCluster(): Promise<boolean> {
  try {
    await run("go", ["version"]);
    return true;
  } catch {
    return false;
  }
}

export interface TestCluster {
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** An admin (`system:masters`) kubeconfig file. */
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/** Starts a fresh control plane (its own etcd and data dir) and resolves once `/readyz` answers. */
export async function startTestCluster(options: { readyTimeoutMs?: number } = {}): Promise<TestCluster> {
  const bin = await testClusterBinary();
  const dir = await mkdtemp(join(tmpdir(), "nora-kube-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  const child = spawn(bin, ["-kubeconfig", kubeconfigPath, "-data-dir", join(dir, "data")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const server = await waitReady(child, options.readyTimeoutMs ?? 120_000);
    return { server, kubeconfigPath, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolveReady, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`test cluster not ready in ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n${output.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY server=(\S+)/.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        // Keep draining so a chatty apiserver never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolveReady(ready[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => fail(new Error(`test cluster exited (${code ?? signal})`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}
