import type { Config, Logger, Pool, Redis, WorkerParts } from "@nora/core";
import { createDomain, createProvisioner } from "@nora/domain";

/**
 * What the provisioner runs: `deploy-agent` on the `deployments` queue (the deployments domain's
 * `jobs.ts`) and the reconciler beside it (orphans and vanished runtimes at start, the sweep of
 * deployments Redis lost, runtime events). `install-skill` arrives with the hub, `deliver-webhook`
 * with alerts; until a queue's handler is registered here its jobs stay queued.
 */
export async function provisionerParts(deps: {
  config: Config;
  pool: Pool;
  redis: Redis;
  logger: Logger;
}): Promise<WorkerParts> {
  const domain = createDomain(deps);
  const provisioner = await createProvisioner({ ...deps, domain });
  return {
    handlers: provisioner.handlers,
    tasks: provisioner.tasks,
    close: async () => {
      await provisioner.close();
      await domain.close();
    },
  };
}
