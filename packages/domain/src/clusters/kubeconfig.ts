import {
  KubeconfigError,
  loadKubeconfigFile,
  type ParsedKubeconfig,
  parseKubeconfig,
} from "@nora/backends/kubernetes-cluster";
import { type Config, type Keyring, type Logger, openSealed } from "@nora/core";
import type { ClusterRow } from "./repo.js";
import { sealContextOf } from "./service.js";

/**
 * A cluster's kubeconfig, on the provisioner only: the file cluster's from KUBECONFIG_PATH, a stored
 * one opened from its envelope and parsed under the rules for API-stored kubeconfigs (no commands, no
 * files). Throws KubeconfigError when it is not usable.
 */
export function openClusterKubeconfig(
  deps: { config: Config; keyring: Keyring; logger: Logger },
  row: Pick<ClusterRow, "id" | "source" | "kubeconfigSealed">,
): ParsedKubeconfig {
  const { config, keyring, logger } = deps;
  const allowInsecureTls = config.clusters.allowInsecureTls;
  if (row.source === "file") {
    if (!config.clusters.kubeconfigPath) {
      throw new KubeconfigError("kubeconfig_path_unset", "KUBECONFIG_PATH is not set on this provisioner");
    }
    return loadKubeconfigFile(config.clusters.kubeconfigPath, { allowInsecureTls });
  }
  const text = openSealed(keyring, row.kubeconfigSealed ?? "", sealContextOf(row.id), logger).value;
  return parseKubeconfig(text, { source: "api", allowInsecureTls });
}
