import { singleLineText } from "@nora/core";
import { z } from "zod";
import { emailSchema } from "../auth/schema.js";

export const invitationParams = z.strictObject({ id: z.uuid(), invitationId: z.uuid() });
export const createInvitationBody = z.strictObject({
  email: emailSchema,
  role: z.enum(["viewer", "editor", "admin"]),
});
export const acceptInvitationBody = z.strictObject({
  token: singleLineText({ max: 43 }).regex(/^[A-Za-z0-9_-]{43}$/, "Malformed token"),
});
