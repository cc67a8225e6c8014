import { runWorkerProcess } from "@nora/core";
import { createDomain } from "@nora/domain";
import { backupHandlers } from "./handlers.js";

await runWorkerProcess({
  name: "backup",
  healthPort: (config) => config.workers.backupHealthPort,
  build: (deps) => ({ handlers: backupHandlers(createDomain(deps)) }),
});
