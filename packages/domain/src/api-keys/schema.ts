import { boundedInt, singleLineText } from "@nora/core";
import { z } from "zod";
import { API_KEY_SCOPES } from "./scopes.js";

export const keyParams = z.strictObject({ id: z.uuid(), keyId: z.uuid() });

export const createKeyBody = z.strictObject({
  description: singleLineText({ max: 200, min: 1, trim: true }),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1)
    .max(API_KEY_SCOPES.length)
    .transform((s) => [...new Set(s)]),
  ttl_days: boundedInt({ min: 1, max: 3650 }).optional(),
});
