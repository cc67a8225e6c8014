import { z } from "zod";

/** Who may create an account once the server is claimed (docs/security.md, "Signup modes"). */
export const SIGNUP_MODES = ["open", "invite", "closed"] as const;
export const signupModeSchema = z.enum(SIGNUP_MODES);
export type SignupMode = z.infer<typeof signupModeSchema>;

/** The whole set of settings; `null` drops the stored value so the environment's default applies. */
export const updateSettingsBody = z.strictObject({ signupMode: signupModeSchema.nullable() });
