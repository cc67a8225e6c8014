import { createLogger, createPool, loadConfigOrExit, onShutdownSignal, startWorkerService } from "@nora/core";
import { backupHandlers } from "./handlers.js";

const config = loadConfigOrExit("worker-backup");
const logger = createLogger({ service: "worker-backup", level: config.logLevel });
for (const warning of config.warnings) logger.warn(warning);

const pool = createPool(config.database, "nora-worker-backup");
const service = await startWorkerService({
  name: "backup",
  config,
  logger,
  handlers: backupHandlers({ pool, logger }),
  health: { host: config.workers.healthHost, port: config.workers.backupHealthPort },
  checks: {
    postgres: async () => {
      await pool.query("SELECT 1");
    },
  },
});

onShutdownSignal(logger, async () => {
  await service.stop();
  await pool.end();
});
