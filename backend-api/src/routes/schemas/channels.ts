import { CHANNEL_CATALOG } from "@nora/domain/integrations/catalog";
import { createBodySchema, updateBodySchema } from "@nora/domain/integrations/resource";
import { z } from "zod";

export const channelParams = z.strictObject({ id: z.uuid(), channelId: z.uuid() });
export const createChannelBody = createBodySchema({ catalog: CHANNEL_CATALOG, withAgent: true });
export const updateChannelBody = updateBodySchema({ withAgent: true });
