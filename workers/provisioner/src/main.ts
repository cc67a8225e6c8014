import { runWorkerProcess } from "@nora/core";
import { provisionerParts } from "./handlers.js";

await runWorkerProcess({
  name: "provisioner",
  healthPort: (config) => config.workers.provisionerHealthPort,
  build: provisionerParts,
});
