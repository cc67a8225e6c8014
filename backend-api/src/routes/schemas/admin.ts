import { queryInt, singleLineText } from "@nora/core";
import { z } from "zod";

export const listUsersQuery = z.strictObject({
  q: singleLineText({ max: 100, min: 1, trim: true }).toLowerCase().optional(),
  limit: queryInt({ min: 1, max: 500 }).default(100),
  offset: queryInt({ min: 0, max: 1_000_000 }).default(0),
});

export const userParams = z.strictObject({ userId: z.uuid() });

export const updateUserBody = z
  .strictObject({ role: z.enum(["user", "admin"]).optional(), disabled: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, "Give role or disabled");
