import { SANDBOX_PROFILES } from "@nora/agent-runtime";
import { checkRelativePath, TarPathError } from "./tar.js";
import type { RuntimeSpec } from "./types.js";

/** The checks every backend makes of a spec before it creates anything (docker-spec, kubernetes-manifests). */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * What is wrong with a set of agent ports (container or host): contract and gateway two distinct
 * ports, and a dashboard, when there is one, a third.
 */
export function portSetIssues(
  field: string,
  ports: { contract: number; gateway: number; dashboard: number | null },
): string[] {
  const issues: string[] = [];
  if (!validPort(ports.contract) || !validPort(ports.gateway) || ports.contract === ports.gateway) {
    issues.push(`${field}: contract and gateway must be two distinct ports`);
  }
  const { dashboard } = ports;
  if (dashboard !== null) {
    if (!validPort(dashboard)) issues.push(`${field}.dashboard: ${dashboard} is not a port`);
    else if (dashboard === ports.contract || dashboard === ports.gateway)
      issues.push(`${field}.dashboard: ${dashboard} is also the contract or gateway port`);
  }
  return issues;
}

/**
 * What is wrong with the parts of a spec every backend reads the same way (profile, image, resources,
 * ports, environment, file paths), as messages naming the field. `minVcpu`: the smallest CPU share
 * the backend can express (Kubernetes counts millicores).
 */
export function commonSpecIssues(spec: RuntimeSpec, options: { minVcpu: number }): string[] {
  const issues: string[] = [];
  if (!(SANDBOX_PROFILES as readonly string[]).includes(spec.profile)) {
    issues.push(`profile: ${String(spec.profile)} is unknown`);
  }
  if (spec.image.trim() === "" || /\s/.test(spec.image)) issues.push("image: empty or contains whitespace");
  const { vcpu, memoryMb, diskGb } = spec.resources;
  if (!(Number.isFinite(vcpu) && vcpu >= options.minVcpu && vcpu <= 256))
    issues.push(`resources.vcpu: ${vcpu} is not in [${options.minVcpu}, 256]`);
  // The family minimum is the API's check; 64 MiB is only a floor no runtime server starts below.
  if (!(Number.isInteger(memoryMb) && memoryMb >= 64))
    issues.push(`resources.memoryMb: ${memoryMb} is below 64`);
  if (!(Number.isInteger(diskGb) && diskGb >= 1))
    issues.push(`resources.diskGb: ${diskGb} is not a whole number ≥ 1`);
  issues.push(...portSetIssues("ports", spec.ports));
  for (const [name, value] of Object.entries(spec.env)) {
    if (!ENV_NAME.test(name)) issues.push(`env.${name}: not a variable name`);
    if (value.includes("\0")) issues.push(`env.${name}: contains NUL`);
  }
  for (const [list, files] of [
    ["files", spec.files],
    ["secretFiles", spec.secretFiles],
  ] as const) {
    const seen = new Set<string>();
    for (const file of files) {
      try {
        checkRelativePath(file.path);
      } catch (error) {
        if (!(error instanceof TarPathError)) throw error;
        issues.push(`${list}: ${error.message}`);
      }
      if (seen.has(file.path)) issues.push(`${list}: ${file.path} given twice`);
      seen.add(file.path);
    }
  }
  return issues;
}
