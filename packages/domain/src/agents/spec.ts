import { createHash } from "node:crypto";
import { type Backend, parseEnabledSettings, type RuntimeFamily, resolveBackend } from "@nora/agent-runtime";
import { AppError, badRequest, type Config } from "@nora/core";

/**
 * The rules a requested agent spec must meet before anything is written: the runtime catalog (with
 * this installation's ENABLED_* settings), the family's memory floor and the platform maxima. A k8s
 * deploy also needs a usable cluster (clusters/service.ts, `clusterForDeploy`).
 */

/** The memory a family needs (less is refused) and what it gets when the request names none. */
export const FAMILY_MEMORY_MB: Readonly<Record<RuntimeFamily, { minimum: number; default: number }>> = {
  openclaw: { minimum: 2048, default: 2048 },
  hermes: { minimum: 512, default: 1024 },
};
export const DEFAULT_VCPU = 1.5;
export const DEFAULT_DISK_GB = 10;

/** Resolves family/target/profile through the catalog; a refusal is a 400 carrying the catalog's code. */
export function resolveAgentBackend(
  config: Config,
  request: { family?: string | undefined; target?: string | undefined; profile?: string | undefined },
): Backend {
  const enabled = parseEnabledSettings(config.runtimeCatalog);
  // The API refuses to boot on a bad catalog setting; a worker or a test may still get here.
  if (!enabled.ok)
    throw new AppError(500, "catalog_misconfigured", "The runtime catalog settings are invalid");
  const resolved = resolveBackend(request, enabled.enabled);
  if (!resolved.ok) {
    const { code, message, value } = resolved.error;
    throw badRequest(code, message, { value });
  }
  return resolved.backend;
}

export interface Resources {
  vcpu: number;
  memoryMb: number;
  diskGb: number;
}

/** Rounds vCPUs to the two decimals the column keeps. */
export const roundVcpu = (vcpu: number) => Math.round(vcpu * 100) / 100;

/** The family's memory floor and the platform maxima (AGENT_MAX_*); 400 naming the limit otherwise. */
export function checkResources(config: Config, family: RuntimeFamily, r: Resources): void {
  const max = config.provisioning.maxima;
  const floor = FAMILY_MEMORY_MB[family].minimum;
  if (r.memoryMb < floor) {
    throw badRequest(
      "memory_below_minimum",
      `The ${family} runtime needs at least ${floor} MB of memory (asked: ${r.memoryMb} MB)`,
      { minimum: floor },
    );
  }
  const over: Array<[keyof Resources, number]> = [
    ["vcpu", max.vcpu],
    ["memoryMb", max.memoryMb],
    ["diskGb", max.diskGb],
  ];
  for (const [field, limit] of over) {
    if (r[field] > limit) {
      throw badRequest("over_platform_maximum", `${field} is at most ${limit} on this server`, {
        field,
        maximum: limit,
      });
    }
  }
  if (roundVcpu(r.vcpu) <= 0) throw badRequest("invalid_vcpu", "vcpu must be at least 0.01");
}

/** `{path: sha256 hex}` of template files: what a revision records besides the content. */
export function templateHashes(template: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, content]) => [path, createHash("sha256").update(content, "utf8").digest("hex")]),
  );
}
