import { z } from "zod";
import { CHANNEL_CATALOG } from "../integrations/catalog.js";
import { createBodySchema, updateBodySchema } from "../integrations/resource.js";

export const channelParams = z.strictObject({ id: z.uuid(), channelId: z.uuid() });
export const createChannelBody = createBodySchema({ catalog: CHANNEL_CATALOG, withAgent: true });
export const updateChannelBody = updateBodySchema({ withAgent: true });
