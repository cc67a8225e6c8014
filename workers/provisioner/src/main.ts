import { createLogger, createPool, loadConfigOrExit, onShutdownSignal, startWorkerService } from "@nora/core";
import { provisionerHandlers } from "./handlers.js";

const config = loadConfigOrExit("worker-provisioner");
const logger = createLogger({ service: "worker-provisioner", level: config.logLevel });
for (const warning of config.warnings) logger.warn(warning);

const pool = createPool(config.database, "nora-worker-provisioner");
const service = await startWorkerService({
  name: "provisioner",
  config,
  logger,
  handlers: provisionerHandlers({ pool, logger }),
  health: { host: config.workers.healthHost, port: config.workers.provisionerHealthPort },
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
