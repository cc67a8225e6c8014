import { runWorkerProcess } from "@nora/core";
import { backupHandlers } from "./handlers.js";

await runWorkerProcess({
  name: "backup",
  healthPort: (config) => config.workers.backupHealthPort,
  handlers: backupHandlers,
});
