import { INTEGRATION_CATALOG } from "@nora/domain/integrations/catalog";
import { createBodySchema, updateBodySchema } from "@nora/domain/integrations/resource";
import { z } from "zod";

export const integrationParams = z.strictObject({ id: z.uuid(), integrationId: z.uuid() });
export const createIntegrationBody = createBodySchema({ catalog: INTEGRATION_CATALOG });
export const updateIntegrationBody = updateBodySchema({});
