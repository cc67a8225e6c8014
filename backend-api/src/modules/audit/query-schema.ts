import { z } from "zod";

export const auditQuery = z.strictObject({
  workspaceId: z.string().uuid().optional(),
  actorUserId: z.string().uuid().optional(),
  action: z
    .string()
    .regex(/^[a-z0-9_.:-]{1,100}$/)
    .optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  before: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  format: z.enum(["json", "csv"]).optional(),
});

export const workspaceAuditQuery = auditQuery.omit({ workspaceId: true, format: true });
