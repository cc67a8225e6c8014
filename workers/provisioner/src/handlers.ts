import type { JobHandlers } from "@nora/core";
import type { Domain } from "@nora/domain";

/**
 * Job handlers of the provisioner: `deployments`, `clawhub-jobs` and `alert-deliveries`
 * (see QUEUES in @nora/core), taken from the domains' `jobs.ts` files. A queue gets a Worker only
 * once its handler is registered here; until then its jobs stay queued rather than being consumed by
 * code that cannot run them. `deploy-agent` arrives with the agents domain's provisioning
 * (`agents/jobs.ts`), `install-skill` with the hub, `deliver-webhook` with alerts.
 */
export function provisionerHandlers(_domain: Domain): JobHandlers {
  return {};
}
