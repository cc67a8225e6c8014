import {
  DEPLOY_TARGETS,
  FAMILY_MATURITY,
  FAMILY_TRAITS,
  listCatalog,
  PROFILE_MATURITY,
  parseEnabledSettings,
  RUNTIME_FAMILIES,
  SANDBOX_PROFILES,
  TARGET_MATURITY,
} from "@nora/agent-runtime";
import { AppError, type Config } from "@nora/core";
import type { ClusterService } from "./service.js";

/**
 * The runtime catalog as this installation offers it: `agent-runtime`'s families, targets and
 * profiles with their maturity, and whether each is available here. `k8s` is available only when a
 * cluster is configured and its last connectivity check passed.
 */
export function createRuntimeCatalogService(deps: {
  config: Config;
  clusters: Pick<ClusterService, "k8sAvailability">;
}) {
  const { config, clusters } = deps;

  return {
    async runtimes() {
      const parsed = parseEnabledSettings(config.runtimeCatalog);
      if (!parsed.ok)
        throw new AppError(500, "catalog_misconfigured", "The runtime catalog settings are invalid");
      const enabled = parsed.enabled;
      const k8s = await clusters.k8sAvailability();
      const yes = { available: true, reason: null };

      const families = RUNTIME_FAMILIES.map((name) => ({
        name,
        maturity: FAMILY_MATURITY[name],
        features: FAMILY_TRAITS[name].features,
        webUi: FAMILY_TRAITS[name].webUi,
        minContextTokens: FAMILY_TRAITS[name].minContextTokens,
        ...(enabled.families.includes(name)
          ? yes
          : { available: false, reason: "disabled on this server (ENABLED_RUNTIME_FAMILIES)" }),
      }));
      const targetAvailability = (name: (typeof DEPLOY_TARGETS)[number]) => {
        if (TARGET_MATURITY[name] === "blocked") return { available: false, reason: "not released yet" };
        if (!enabled.targets.includes(name)) {
          return { available: false, reason: "disabled on this server (ENABLED_DEPLOY_TARGETS)" };
        }
        return name === "k8s" ? k8s : yes;
      };
      const targets = DEPLOY_TARGETS.map((name) => ({
        name,
        maturity: TARGET_MATURITY[name],
        ...targetAvailability(name),
      }));
      const profiles = SANDBOX_PROFILES.map((name) => ({
        name,
        maturity: PROFILE_MATURITY[name],
        ...(enabled.profiles.includes(name)
          ? yes
          : { available: false, reason: "disabled on this server (ENABLED_SANDBOX_PROFILES)" }),
      }));
      const combinations = listCatalog(enabled).map(
        ({ id, family, target, profile, maturity, available, reason }) => {
          if (available && target === "k8s" && !k8s.available) {
            return { id, family, target, profile, maturity, available: false, reason: k8s.reason };
          }
          return { id, family, target, profile, maturity, available, reason };
        },
      );
      return { families, targets, profiles, combinations };
    },
  };
}

export type RuntimeCatalogService = ReturnType<typeof createRuntimeCatalogService>;
