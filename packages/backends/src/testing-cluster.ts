import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * Test tooling (`@nora/backends/testing-cluster`): a real Kubernetes control plane for tests, built
 * from `infra/test-cluster/` (kube-apiserver over embedded etcd, kube-controller-manager,
 * kube-scheduler, and KWOK with one fake node), on 127.0.0.1 only. Not for production code.
 * Test files using it are named `*.k8s.test.ts`: vitest runs them after every other test file.
 */

const run = promisify(execFile);
/** `infra/test-cluster/build.sh`: builds or reuses the binaries, prints the test-cluster path last. */
export const BUILD_SCRIPT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../infra/test-cluster/build.sh",
);

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

export interface TestClusterPrerequisite {
  /** True when the Kubernetes tests should be skipped: no Go here, and the run does not require them. */
  skip: boolean;
  /** Appended to a suite's title so a skip explains itself in the report. */
  note: string;
}

/**
 * Whether Kubernetes tests can run here. Without Go they skip locally; with `required` (pass
 * `process.env.NORA_CI === "1"`) they run and fail, so CI cannot pass without checking anything.
 */
export async function testClusterPrerequisite(options: {
  required: boolean;
}): Promise<TestClusterPrerequisite> {
  if (options.required || (await canBuildTestCluster())) return { skip: false, note: "" };
  return {
    skip: true,
    note: " (skipped: Go is not installed, so the test cluster cannot be built; NORA_CI=1 turns this into a failure)",
  };
}

export interface TestCluster {
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** An admin (`system:masters`) kubeconfig file. */
  kubeconfigPath: string;
  /** Whether kube-scheduler runs (Pods get a `spec.nodeName` / `PodScheduled` condition). */
  scheduler: boolean;
  /** Whether KWOK runs: Pods bound to `nodeName` become Running and Ready (probes are not executed). */
  kwok: boolean;
  /** The fake node KWOK manages (Ready before this resolves), or null without KWOK. */
  nodeName: string | null;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  readyTimeoutMs?: number;
  /** Run kube-scheduler (default true). */
  scheduler?: boolean;
  /** Run KWOK with one fake node (default: when build.sh produced the kwok binary). */
  kwok?: boolean;
}

interface ReadyLine {
  server: string;
  scheduler: boolean;
  kwok: boolean;
  nodeName: string | null;
}

/** Starts a fresh control plane (its own etcd and data dir) and resolves once it printed READY. */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const bin = await testClusterBinary();
  const dir = await mkdtemp(join(tmpdir(), "nora-kube-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  const args = ["-kubeconfig", kubeconfigPath, "-data-dir", join(dir, "data")];
  if (options.scheduler !== undefined) args.push(`-scheduler=${options.scheduler}`);
  if (options.kwok !== undefined) args.push(`-kwok=${options.kwok}`);
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ready = await waitReady(child, options.readyTimeoutMs ?? 120_000);
    return { ...ready, kubeconfigPath, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Parses `READY server=… kubeconfig=… scheduler=… kwok=… node=…`. */
export function parseReadyLine(output: string): ReadyLine | null {
  const line = /^READY (.*)$/m.exec(output)?.[1];
  if (line === undefined) return null;
  const fields = new Map(
    line.split(" ").map((pair) => {
      const at = pair.indexOf("=");
      return [pair.slice(0, at), pair.slice(at + 1)] as const;
    }),
  );
  const server = fields.get("server");
  if (!server) return null;
  const node = fields.get("node") ?? "";
  return {
    server,
    scheduler: fields.get("scheduler") === "true",
    kwok: fields.get("kwok") === "true",
    nodeName: node === "" ? null : node,
  };
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<ReadyLine> {
  return new Promise<ReadyLine>((resolveReady, reject) => {
    let output = "";
    let stdout = "";
    const timer = setTimeout(() => fail(new Error(`test cluster not ready in ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n${output.slice(-4000)}`));
    };
    const onStderr = (chunk: Buffer) => {
      output += chunk.toString();
    };
    const onStdout = (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
      // Only complete lines: the READY line may arrive split across chunks.
      const ready = parseReadyLine(stdout.slice(0, stdout.lastIndexOf("\n") + 1));
      if (ready) {
        clearTimeout(timer);
        child.stdout?.off("data", onStdout);
        child.stderr?.off("data", onStderr);
        // Keep draining so a chatty apiserver never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolveReady(ready);
      }
    };
    child.stdout?.on("data", onStdout);
    child.stderr?.on("data", onStderr);
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
