import { CHANNEL_CATALOG } from "../integrations/catalog.js";
import { type CatalogServiceDeps, createCatalogService } from "../integrations/resource.js";

/**
 * Channels: where an agent talks to people (Telegram, Slack, Discord, webhook). Stored sealed like
 * integrations, with an optional agent id (attached per agent once agents exist).
 */
export function createChannelService(deps: CatalogServiceDeps) {
  return createCatalogService(deps, {
    table: "channels",
    catalog: CHANNEL_CATALOG,
    noun: "channel",
    label: "Channel",
    withAgent: true,
  });
}
export type ChannelService = ReturnType<typeof createChannelService>;
