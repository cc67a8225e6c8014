import type { Config, JobHandlers, Logger, Pool } from "@nora/core";

export interface HandlerDependencies {
  pool: Pool;
  logger: Logger;
  config: Config;
}

/**
 * Job handlers of the provisioner: `deployments`, `clawhub-jobs` and `alert-deliveries`
 * (see QUEUES in @nora/core). A queue gets a Worker only once its handler is registered here;
 * until then its jobs stay queued rather than being consumed by code that cannot run them.
 * The deploy, skill-install and webhook handlers arrive with their domains.
 */
export function provisionerHandlers(_deps: HandlerDependencies): JobHandlers {
  return {};
}
