import { z } from "zod";
import { INTEGRATION_CATALOG } from "./catalog.js";
import { createBodySchema, updateBodySchema } from "./resource.js";

export const integrationParams = z.strictObject({ id: z.uuid(), integrationId: z.uuid() });
export const createIntegrationBody = createBodySchema({ catalog: INTEGRATION_CATALOG });
export const updateIntegrationBody = updateBodySchema({});
