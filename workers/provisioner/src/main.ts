import { runWorkerProcess } from "@nora/core";
import { createDomain } from "@nora/domain";
import { provisionerHandlers } from "./handlers.js";

await runWorkerProcess({
  name: "provisioner",
  healthPort: (config) => config.workers.provisionerHealthPort,
  build: (deps) => ({ handlers: provisionerHandlers(createDomain(deps)) }),
});
