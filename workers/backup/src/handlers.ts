import type { Config, JobHandlers, Logger, Pool } from "@nora/core";

export interface HandlerDependencies {
  pool: Pool;
  logger: Logger;
  config: Config;
}

/**
 * Job handlers of the backup worker: the `backups` queue (see QUEUES in @nora/core).
 * The run-backup handler arrives with the backups domain; until it is registered here,
 * backup jobs stay queued rather than being consumed by code that cannot run them.
 */
export function backupHandlers(_deps: HandlerDependencies): JobHandlers {
  return {};
}
