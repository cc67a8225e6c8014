import type { JobHandlers } from "@nora/core";
import type { Domain } from "@nora/domain";

/**
 * Job handlers of the backup worker: the `backups` queue (see QUEUES in @nora/core), taken from the
 * domains' `jobs.ts` files. `run-backup` arrives with the backups domain (`backups/jobs.ts`); until it
 * is registered here, backup jobs stay queued rather than being consumed by code that cannot run them.
 */
export function backupHandlers(_domain: Domain): JobHandlers {
  return {};
}
