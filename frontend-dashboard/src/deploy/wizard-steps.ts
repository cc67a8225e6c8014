import { type CreateAgentInput, createAgentBody } from "@nora/api-contract";
import type { RuntimeCatalog } from "./catalog";

/**
 * The deploy wizard's rules, apart from its screens: which steps there are, what each needs before
 * the next, which options the catalog makes unavailable (and why), and the deploy body the API takes.
 */

export const STEPS = [
  "runtime",
  "target",
  "profile",
  "resources",
  "providers",
  "template",
  "review",
] as const;
export type Step = (typeof STEPS)[number];

export const STEP_LABELS: Record<Step, string> = {
  runtime: "Name and runtime",
  target: "Target",
  profile: "Sandbox profile",
  resources: "Resources",
  providers: "Providers",
  template: "Template files",
  review: "Review",
};

export interface TemplateFile {
  path: string;
  content: string;
}

export interface Draft {
  name: string;
  family: string;
  target: string;
  profile: string;
  /** Text as typed; empty means the server's default. */
  vcpu: string;
  memoryMb: string;
  diskGb: string;
  /** `all`: every provider of the workspace (now and later); `chosen`: only `providerIds`. */
  providers: "all" | "chosen";
  providerIds: string[];
  files: TemplateFile[];
}

export function initialDraft(catalog: RuntimeCatalog | undefined): Draft {
  const firstAvailable = <T extends { name: string; available: boolean }>(list: readonly T[] | undefined) =>
    list?.find((item) => item.available)?.name ?? "";
  return {
    name: "",
    family: firstAvailable(catalog?.families),
    target: firstAvailable(catalog?.targets),
    profile: firstAvailable(catalog?.profiles),
    vcpu: "",
    memoryMb: "",
    diskGb: "",
    providers: "all",
    providerIds: [],
    files: [],
  };
}

type Catalog = Pick<RuntimeCatalog, "families" | "targets" | "profiles" | "combinations">;

/** Why an option cannot be chosen with what is chosen so far; null when it can. */
export function familyUnavailable(catalog: Catalog, family: string): string | null {
  const entry = catalog.families.find((f) => f.name === family);
  if (!entry) return "not in this server's catalog";
  return entry.available ? null : (entry.reason ?? "not available on this server");
}

export function targetUnavailable(catalog: Catalog, family: string, target: string): string | null {
  const entry = catalog.targets.find((t) => t.name === target);
  if (!entry) return "not in this server's catalog";
  if (!entry.available) return entry.reason ?? "not available on this server";
  const combos = catalog.combinations.filter((c) => c.family === family && c.target === target);
  if (combos.length === 0) return `${family} does not run on ${target}`;
  if (combos.some((c) => c.available)) return null;
  return combos.find((c) => c.reason)?.reason ?? `${family} cannot run on ${target} here`;
}

export function profileUnavailable(
  catalog: Catalog,
  draft: Pick<Draft, "family" | "target">,
  profile: string,
) {
  const entry = catalog.profiles.find((p) => p.name === profile);
  if (!entry) return "not in this server's catalog";
  if (!entry.available) return entry.reason ?? "not available on this server";
  const combo = catalog.combinations.find(
    (c) => c.family === draft.family && c.target === draft.target && c.profile === profile,
  );
  if (!combo) return `not offered for ${draft.family} on ${draft.target}`;
  return combo.available ? null : (combo.reason ?? "this combination is not available here");
}

/** What stops the wizard leaving `step`, by field (empty: it may go on). */
export function stepErrors(step: Step, draft: Draft, catalog: Catalog): Record<string, string> {
  const errors: Record<string, string> = {};
  if (step === "runtime") {
    if (!draft.name.trim()) errors.name = "Name the agent";
    else if (draft.name.trim().length > 100) errors.name = "At most 100 characters";
    if (!draft.family) errors.family = "Choose a runtime family";
    else {
      const reason = familyUnavailable(catalog, draft.family);
      if (reason) errors.family = `Unavailable: ${reason}`;
    }
  } else if (step === "target") {
    const reason = draft.target ? targetUnavailable(catalog, draft.family, draft.target) : "choose a target";
    if (reason) errors.target = draft.target ? `Unavailable: ${reason}` : "Choose where it runs";
  } else if (step === "profile") {
    const reason = draft.profile ? profileUnavailable(catalog, draft, draft.profile) : "choose";
    if (reason) errors.profile = draft.profile ? `Unavailable: ${reason}` : "Choose a sandbox profile";
  } else if (step === "resources") {
    checkNumber(errors, "vcpu", draft.vcpu, 0.1, 256, false);
    checkNumber(errors, "memoryMb", draft.memoryMb, 128, 1_048_576, true);
    checkNumber(errors, "diskGb", draft.diskGb, 1, 65_536, true);
  } else if (step === "providers") {
    if (draft.providers === "chosen" && draft.providerIds.length === 0) {
      errors.providerIds = "Choose at least one provider, or give the agent all of them";
    }
  } else if (step === "template") {
    const seen = new Set<string>();
    draft.files.forEach((file, index) => {
      const path = file.path.trim();
      if (!path) errors[`files.${index}`] = "Give the file a path";
      else if (seen.has(path)) errors[`files.${index}`] = "Two files have this path";
      seen.add(path);
    });
  }
  return errors;
}

function checkNumber(
  errors: Record<string, string>,
  field: string,
  text: string,
  min: number,
  max: number,
  integer: boolean,
): void {
  if (text.trim() === "") return;
  const value = Number(text);
  if (!Number.isFinite(value)) errors[field] = "Enter a number";
  else if (integer && !Number.isInteger(value)) errors[field] = "Enter a whole number";
  else if (value < min || value > max) errors[field] = `Between ${min} and ${max}`;
}

/** The first step that is not ready: where "Deploy" sends the operator back to. */
export function firstIncompleteStep(draft: Draft, catalog: Catalog): Step | undefined {
  return STEPS.find((step) => Object.keys(stepErrors(step, draft, catalog)).length > 0);
}

/** The deploy body; empty resources are left out (the server's defaults apply). */
export function deployBody(draft: Draft): CreateAgentInput {
  const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
  const body: Record<string, unknown> = {
    name: draft.name.trim(),
    family: draft.family,
    target: draft.target,
    profile: draft.profile,
  };
  const resources = {
    vcpu: number(draft.vcpu),
    memoryMb: number(draft.memoryMb),
    diskGb: number(draft.diskGb),
  };
  for (const [key, value] of Object.entries(resources)) if (value !== undefined) body[key] = value;
  if (draft.providers === "chosen") body.providerIds = draft.providerIds;
  if (draft.files.length > 0) {
    body.template = Object.fromEntries(draft.files.map((f) => [f.path.trim(), f.content]));
  }
  return body as CreateAgentInput;
}

/** The step a validation issue of the deploy body belongs to (by its path's first segment). */
export function stepOfIssuePath(path: string): Step {
  const head = path.split(".")[0] ?? "";
  if (head === "name" || head === "family") return "runtime";
  if (head === "target" || head === "clusterId") return "target";
  if (head === "profile") return "profile";
  if (head === "vcpu" || head === "memoryMb" || head === "diskGb") return "resources";
  if (head === "providerIds") return "providers";
  if (head === "template") return "template";
  return "review";
}

/** The body checked as the API will check it, before sending: issues as `{path, message}`. */
export function checkDeployBody(draft: Draft): { path: string; message: string }[] {
  const parsed = createAgentBody.safeParse(deployBody(draft));
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}
