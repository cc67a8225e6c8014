import { z } from "zod";
import { emailSchema } from "../auth/schema.js";

export const invitationParams = z.strictObject({ id: z.string().uuid(), invitationId: z.string().uuid() });
export const createInvitationBody = z.strictObject({
  email: emailSchema,
  role: z.enum(["viewer", "editor", "admin"]),
});
export const acceptInvitationBody = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "Malformed token"),
});
