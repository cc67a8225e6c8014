import { queryDate, queryInt, queryInt8Id, singleLineText } from "@nora/core";
import { z } from "zod";

export const auditQuery = z.strictObject({
  workspaceId: z.uuid().optional(),
  actorUserId: z.uuid().optional(),
  action: singleLineText({ max: 100 })
    .regex(/^[a-z0-9_.:-]{1,100}$/)
    .optional(),
  from: queryDate().optional(),
  to: queryDate().optional(),
  before: queryInt8Id().optional(),
  limit: queryInt({ min: 1, max: 1000 }).optional(),
  format: z.enum(["json", "csv"]).optional(),
});

export const workspaceAuditQuery = auditQuery.omit({ workspaceId: true, format: true });
