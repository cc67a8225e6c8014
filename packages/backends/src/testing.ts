import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Docker from "dockerode";

/**
 * Test tooling for runtime backends (`@nora/backends/testing`): the contract-only runtime image and
 * cleanup of what a test created on the engine. Not for production code.
 */

const run = promisify(execFile);
const SCRIPT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../infra/images/build-contract-image.sh",
);

let contractImage: Promise<string> | undefined;

/**
 * Builds or reuses `nora-runtime-contract:<hash>` (the 9090 runtime server without an agent) and
 * returns its tag. The first build on a machine also builds the OpenClaw image it derives from.
 */
export function contractRuntimeImage(): Promise<string> {
  contractImage ??= run(SCRIPT, [], { maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000 }).then(
    ({ stdout }) => {
      const tag = stdout.trim().split("\n").pop()?.trim() ?? "";
      if (!/^nora-runtime-contract:[0-9a-f]{16}$/.test(tag)) {
        throw new Error(
          `build-contract-image.sh printed no image tag: ${JSON.stringify(stdout.slice(-500))}`,
        );
      }
      return tag;
    },
  );
  return contractImage;
}

/** The label every test marks its engine objects with, and a unique value for one test file. */
export const TEST_LABEL = "nora.test";
export function testRunId(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

/**
 * Removes every container, network and volume carrying `label=value` (containers first, then the
 * networks they were on, then volumes). Safe to call when nothing is left.
 */
export async function removeLabelled(
  label: string,
  value: string,
  socketPath = "/var/run/docker.sock",
): Promise<void> {
  const docker = new Docker({ socketPath });
  const filter = { label: [`${label}=${value}`] };
  for (const c of await docker.listContainers({ all: true, filters: filter })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  for (const n of await docker.listNetworks({ filters: filter })) {
    const network = docker.getNetwork(n.Id);
    const info = (await network.inspect().catch(() => null)) as {
      Containers?: Record<string, unknown>;
    } | null;
    for (const id of Object.keys(info?.Containers ?? {})) {
      await network.disconnect({ Container: id, Force: true }).catch(() => undefined);
    }
    await network.remove().catch(() => undefined);
  }
  const volumes = await docker.listVolumes({ filters: filter });
  for (const v of volumes.Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  }
}
