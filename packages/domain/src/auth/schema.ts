import { opaqueText, singleLineText } from "@nora/core";
import { z } from "zod";
import { passwordSchema } from "./passwords.js";

export const emailSchema = singleLineText({ max: 320, trim: true })
  .pipe(z.email("Enter a valid email address"))
  .transform((e) => e.toLowerCase());

export const signupBody = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  displayName: singleLineText({ max: 100, min: 1, trim: true }).optional(),
  captchaToken: opaqueText({ max: 4096, min: 1 }).optional(),
  /** From an invitation link: the new account accepts that invitation (the only way in under `invite`). */
  invitationToken: opaqueText({ max: 43 })
    .regex(/^[A-Za-z0-9_-]{43}$/, "Malformed invitation token")
    .optional(),
});

export const loginBody = z.strictObject({
  email: emailSchema,
  // Length-capped but not policy-checked: old passwords predating a policy change must still log in.
  password: opaqueText({ max: 128, min: 1 }),
});

export const changePasswordBody = z.strictObject({
  currentPassword: opaqueText({ max: 128, min: 1 }),
  newPassword: passwordSchema,
});

export const sessionIdParams = z.strictObject({ sessionId: z.uuid() });

/** The token from the verification link's fragment; never accepted in a query string. */
export const verifyEmailBody = z.strictObject({
  token: opaqueText({ max: 43 }).regex(/^[A-Za-z0-9_-]{43}$/, "Malformed token"),
});
