import { z } from "zod";

export const listUsersQuery = z.strictObject({
  q: z.string().trim().toLowerCase().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const userParams = z.strictObject({ userId: z.string().uuid() });

export const updateUserBody = z
  .strictObject({ role: z.enum(["user", "admin"]).optional(), disabled: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, "Give role or disabled");
