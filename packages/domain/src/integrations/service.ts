import { CHANNEL_CATALOG, describeKind, INTEGRATION_CATALOG } from "./catalog.js";
import { type CatalogServiceDeps, createCatalogService } from "./resource.js";

/** Integrations: GitHub, Slack, Telegram, Discord, webhook and SMTP credentials of a workspace. */
export function createIntegrationService(deps: CatalogServiceDeps) {
  return createCatalogService(deps, {
    table: "integrations",
    catalog: INTEGRATION_CATALOG,
    noun: "integration",
    label: "Integration",
  });
}
export type IntegrationService = ReturnType<typeof createIntegrationService>;

/** The catalog as the API describes it: kinds and their fields (which are secret), never values. */
export function integrationCatalog() {
  return {
    integrations: Object.entries(INTEGRATION_CATALOG).map(([kind, spec]) => describeKind(kind, spec)),
    channels: Object.entries(CHANNEL_CATALOG).map(([kind, spec]) => describeKind(kind, spec)),
  };
}
