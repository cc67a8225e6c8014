import { z } from "zod";
import { API_KEY_SCOPES } from "./scopes.js";

export const keyParams = z.strictObject({ id: z.string().uuid(), keyId: z.string().uuid() });

export const createKeyBody = z.strictObject({
  description: z.string().trim().min(1).max(200),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1)
    .max(API_KEY_SCOPES.length)
    .transform((s) => [...new Set(s)]),
  ttl_days: z.number().int().min(1).max(3650).optional(),
});
