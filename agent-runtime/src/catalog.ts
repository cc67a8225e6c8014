/**
 * The backend catalog: which runtime family runs on which deploy target under which sandbox
 * profile, how mature each combination is, and whether this installation enables it.
 * Unknown values are errors, never silently defaulted.
 */

export const RUNTIME_FAMILIES = ["openclaw", "hermes"] as const;
export const DEPLOY_TARGETS = ["docker", "k8s", "proxmox"] as const;
export const SANDBOX_PROFILES = ["standard", "nemoclaw"] as const;
export const MATURITIES = ["ga", "experimental", "blocked"] as const;

export type RuntimeFamily = (typeof RUNTIME_FAMILIES)[number];
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];
export type SandboxProfile = (typeof SANDBOX_PROFILES)[number];
export type Maturity = (typeof MATURITIES)[number];

export const DEFAULT_RUNTIME_FAMILY: RuntimeFamily = "openclaw";
export const DEFAULT_DEPLOY_TARGET: DeployTarget = "docker";
export const DEFAULT_SANDBOX_PROFILE: SandboxProfile = "standard";

/** Accepted spellings that name the same target. */
export const DEPLOY_TARGET_ALIASES: Readonly<Record<string, DeployTarget>> = { k3s: "k8s" };

export const FAMILY_MATURITY: Readonly<Record<RuntimeFamily, Maturity>> = { openclaw: "ga", hermes: "ga" };
export const TARGET_MATURITY: Readonly<Record<DeployTarget, Maturity>> = {
  docker: "ga",
  k8s: "ga",
  proxmox: "blocked",
};
export const PROFILE_MATURITY: Readonly<Record<SandboxProfile, Maturity>> = {
  standard: "ga",
  nemoclaw: "experimental",
};

/** Profiles a family can run under; nemoclaw's hardening is built around the OpenClaw gateway. */
export const FAMILY_PROFILES: Readonly<Record<RuntimeFamily, readonly SandboxProfile[]>> = {
  openclaw: ["standard", "nemoclaw"],
  hermes: ["standard"],
};

/** What Nora offers for a family's agents; the UI hides what a family lacks, the API refuses it by name. */
export const RUNTIME_FEATURES = [
  /** OpenAI-compatible chat through the family's gateway. */
  "chat",
  /** Stored conversations the API can list and read back. */
  "chatSessions",
  /** The family's own web UI, reached through Nora. */
  "webUi",
  /** A separate dashboard process with a log of its own (`/logs?process=dashboard`). */
  "dashboardLogs",
  "logs",
  "exec",
  "files",
  "metrics",
  "providerSync",
] as const;
export type RuntimeFeature = (typeof RUNTIME_FEATURES)[number];

export interface FamilyTraits {
  features: readonly RuntimeFeature[];
  /** Where the family's web UI is served: on its gateway port (OpenClaw's Control UI) or a dashboard port. */
  webUi: "gateway" | "dashboard";
  /** The smallest context window the family accepts for its default model, when it has a minimum. */
  minContextTokens: number | null;
}

const COMMON_FEATURES: readonly RuntimeFeature[] = [
  "chat",
  "chatSessions",
  "webUi",
  "logs",
  "exec",
  "files",
  "metrics",
  "providerSync",
];

export const FAMILY_TRAITS: Readonly<Record<RuntimeFamily, FamilyTraits>> = {
  openclaw: { features: COMMON_FEATURES, webUi: "gateway", minContextTokens: null },
  hermes: { features: [...COMMON_FEATURES, "dashboardLogs"], webUi: "dashboard", minContextTokens: 64_000 },
};

export function familyHas(family: RuntimeFamily, feature: RuntimeFeature): boolean {
  return FAMILY_TRAITS[family].features.includes(feature);
}

export interface EnabledSet {
  families: readonly RuntimeFamily[];
  targets: readonly DeployTarget[];
  profiles: readonly SandboxProfile[];
}

/** What an installation enables when ENABLED_* variables are unset. */
export const DEFAULT_ENABLED: EnabledSet = {
  families: ["openclaw", "hermes"],
  targets: ["docker", "k8s"],
  profiles: ["standard"],
};

export type CatalogErrorCode =
  | "unknown_runtime_family"
  | "unknown_deploy_target"
  | "unknown_sandbox_profile"
  | "target_release_blocked"
  | "profile_not_supported"
  | "runtime_family_disabled"
  | "target_disabled"
  | "profile_disabled";

export interface CatalogError {
  code: CatalogErrorCode;
  message: string;
  /** The offending value as given. */
  value: string;
}

export interface Backend {
  /** `family/target/profile`, e.g. `openclaw/docker/standard`. */
  id: string;
  family: RuntimeFamily;
  target: DeployTarget;
  profile: SandboxProfile;
  maturity: Maturity;
}

export type Resolution = { ok: true; backend: Backend } | { ok: false; error: CatalogError };

export interface BackendRequest {
  /** Missing means the default; an empty string or any unknown value is an error. */
  family?: string | undefined;
  target?: string | undefined;
  profile?: string | undefined;
}

const MATURITY_RANK: Readonly<Record<Maturity, number>> = { ga: 0, experimental: 1, blocked: 2 };

function worst(...values: Maturity[]): Maturity {
  return values.reduce((a, b) => (MATURITY_RANK[b] > MATURITY_RANK[a] ? b : a), "ga");
}

function includes<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

export function isRuntimeFamily(value: string): value is RuntimeFamily {
  return includes(RUNTIME_FAMILIES, value);
}

/** A deploy target by name or alias, or null when unknown. */
export function canonicalTarget(value: string): DeployTarget | null {
  if (includes(DEPLOY_TARGETS, value)) return value;
  return DEPLOY_TARGET_ALIASES[value] ?? null;
}

export function isSandboxProfile(value: string): value is SandboxProfile {
  return includes(SANDBOX_PROFILES, value);
}

function fail(code: CatalogErrorCode, value: string, message: string): Resolution {
  return { ok: false, error: { code, value, message } };
}

/** The maturity of a combination, or null when the family cannot run under the profile. */
export function combinationMaturity(
  family: RuntimeFamily,
  target: DeployTarget,
  profile: SandboxProfile,
): Maturity | null {
  if (!FAMILY_PROFILES[family].includes(profile)) return null;
  return worst(FAMILY_MATURITY[family], TARGET_MATURITY[target], PROFILE_MATURITY[profile]);
}

/**
 * Resolves a request to one concrete backend. Checks run in a fixed order so the error names the
 * first problem: unknown values, then release blocks, then unsupported pairs, then what this
 * installation disabled.
 */
export function resolveBackend(request: BackendRequest, enabled: EnabledSet = DEFAULT_ENABLED): Resolution {
  const familyName = request.family ?? DEFAULT_RUNTIME_FAMILY;
  const targetName = request.target ?? DEFAULT_DEPLOY_TARGET;
  const profileName = request.profile ?? DEFAULT_SANDBOX_PROFILE;

  if (!isRuntimeFamily(familyName)) {
    return fail("unknown_runtime_family", familyName, `unknown runtime family "${familyName}"`);
  }
  const target = canonicalTarget(targetName);
  if (target === null)
    return fail("unknown_deploy_target", targetName, `unknown deploy target "${targetName}"`);
  if (!isSandboxProfile(profileName)) {
    return fail("unknown_sandbox_profile", profileName, `unknown sandbox profile "${profileName}"`);
  }
  const family = familyName;
  const profile = profileName;

  if (TARGET_MATURITY[target] === "blocked") {
    return fail("target_release_blocked", targetName, `deploy target "${target}" is not released yet`);
  }
  const maturity = combinationMaturity(family, target, profile);
  if (maturity === null) {
    return fail(
      "profile_not_supported",
      profile,
      `sandbox profile "${profile}" is not available for the ${family} runtime`,
    );
  }
  if (!enabled.families.includes(family)) {
    return fail("runtime_family_disabled", family, `runtime family "${family}" is disabled on this server`);
  }
  if (!enabled.targets.includes(target)) {
    return fail("target_disabled", targetName, `deploy target "${target}" is disabled on this server`);
  }
  if (!enabled.profiles.includes(profile)) {
    return fail("profile_disabled", profile, `sandbox profile "${profile}" is disabled on this server`);
  }
  return { ok: true, backend: { id: `${family}/${target}/${profile}`, family, target, profile, maturity } };
}

export interface CatalogEntry {
  id: string;
  family: RuntimeFamily;
  target: DeployTarget;
  profile: SandboxProfile;
  /** Null when the family cannot run under the profile. */
  maturity: Maturity | null;
  /** Whether a request for exactly this combination resolves. */
  available: boolean;
  /** Why it does not, when it does not. */
  reason: CatalogErrorCode | null;
}

/** Every family × target × profile with its outcome, for admin views and docs. */
export function listCatalog(enabled: EnabledSet = DEFAULT_ENABLED): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  for (const family of RUNTIME_FAMILIES) {
    for (const target of DEPLOY_TARGETS) {
      for (const profile of SANDBOX_PROFILES) {
        const result = resolveBackend({ family, target, profile }, enabled);
        entries.push({
          id: `${family}/${target}/${profile}`,
          family,
          target,
          profile,
          maturity: combinationMaturity(family, target, profile),
          available: result.ok,
          reason: result.ok ? null : result.error.code,
        });
      }
    }
  }
  return entries;
}

export interface EnabledSettings {
  ENABLED_RUNTIME_FAMILIES?: string | undefined;
  ENABLED_DEPLOY_TARGETS?: string | undefined;
  /** Deprecated name of ENABLED_DEPLOY_TARGETS, read only when that is unset. */
  ENABLED_BACKENDS?: string | undefined;
  ENABLED_SANDBOX_PROFILES?: string | undefined;
}

export type EnabledParse = { ok: true; enabled: EnabledSet } | { ok: false; error: CatalogError };

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * Parses the ENABLED_* settings (comma-separated). Unset means the default; an unknown name is an
 * error so a typo cannot silently disable or enable a backend. `proxmox` may be listed but still
 * resolves to `target_release_blocked`.
 */
export function parseEnabledSettings(settings: EnabledSettings): EnabledParse {
  const families: RuntimeFamily[] = [];
  for (const name of splitList(settings.ENABLED_RUNTIME_FAMILIES ?? DEFAULT_ENABLED.families.join(","))) {
    if (!isRuntimeFamily(name)) {
      return {
        ok: false,
        error: {
          code: "unknown_runtime_family",
          value: name,
          message: `ENABLED_RUNTIME_FAMILIES: unknown "${name}"`,
        },
      };
    }
    families.push(name);
  }
  const targets: DeployTarget[] = [];
  const targetsVariable =
    settings.ENABLED_DEPLOY_TARGETS !== undefined ? "ENABLED_DEPLOY_TARGETS" : "ENABLED_BACKENDS";
  const targetList =
    settings.ENABLED_DEPLOY_TARGETS ?? settings.ENABLED_BACKENDS ?? DEFAULT_ENABLED.targets.join(",");
  for (const name of splitList(targetList)) {
    const target = canonicalTarget(name);
    if (target === null) {
      return {
        ok: false,
        error: {
          code: "unknown_deploy_target",
          value: name,
          message: `${targetsVariable}: unknown "${name}"`,
        },
      };
    }
    targets.push(target);
  }
  const profiles: SandboxProfile[] = [];
  for (const name of splitList(settings.ENABLED_SANDBOX_PROFILES ?? DEFAULT_ENABLED.profiles.join(","))) {
    if (!isSandboxProfile(name)) {
      return {
        ok: false,
        error: {
          code: "unknown_sandbox_profile",
          value: name,
          message: `ENABLED_SANDBOX_PROFILES: unknown "${name}"`,
        },
      };
    }
    profiles.push(name);
  }
  return { ok: true, enabled: { families, targets, profiles } };
}
