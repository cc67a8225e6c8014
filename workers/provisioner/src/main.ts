import { runWorkerProcess } from "@nora/core";
import { provisionerHandlers } from "./handlers.js";

await runWorkerProcess({
  name: "provisioner",
  healthPort: (config) => config.workers.provisionerHealthPort,
  handlers: provisionerHandlers,
});
