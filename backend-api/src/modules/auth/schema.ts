import { z } from "zod";
import { passwordSchema } from "./passwords.js";

export const emailSchema = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email("Enter a valid email address"))
  .transform((e) => e.toLowerCase());

export const signupBody = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  displayName: z.string().trim().min(1).max(100).optional(),
  captchaToken: z.string().min(1).max(4096).optional(),
});

export const loginBody = z.strictObject({
  email: emailSchema,
  // Length-capped but not policy-checked: old passwords predating a policy change must still log in.
  password: z.string().min(1).max(128),
});

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(128),
  newPassword: passwordSchema,
});

export const sessionIdParams = z.strictObject({ sessionId: z.string().uuid() });

/** The token from the verification link's fragment; never accepted in a query string. */
export const verifyEmailBody = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "Malformed token"),
});
