import { z } from "zod";
import { opaqueText, SIGNUP_MODES, singleLineText } from "./primitives.js";
import { timestamp } from "./wire.js";

/* Requests */

/** The most common passwords of 10+ characters (the length rule already excludes shorter ones). */
const COMMON_PASSWORDS = new Set([
  "1234567890",
  "12345678910",
  "123456789a",
  "0123456789",
  "0987654321",
  "1111111111",
  "1q2w3e4r5t",
  "1qaz2wsx3edc",
  "qwertyuiop",
  "qwerty1234",
  "qwerty12345",
  "asdfghjkl;",
  "password1!",
  "password12",
  "password123",
  "password1234",
  "passw0rd123",
  "iloveyou12",
  "abcdefghij",
  "abc1234567",
  "abcd123456",
  "letmein123",
  "welcome123",
  "welcome1234",
  "administrator",
  "admin12345",
  "admin123456",
  "changeme123",
  "football123",
  "baseball123",
  "princess123",
  "sunshine123",
  "monkey1234",
  "dragon1234",
  "trustno1234",
  "superman123",
  "starwars123",
  "computer123",
  "michael123",
  "whatever123",
  "q1w2e3r4t5",
  "zaq12wsxcde",
  "aaaaaaaaaa",
  "nora123456",
  "norapassword",
]);

/** The password rules, exported so a form can show them as the person types (`@nora/ui` does). */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** True for a password on the list of the most common ones (case does not matter). */
export const isCommonPassword = (password: string): boolean => COMMON_PASSWORDS.has(password.toLowerCase());

export const passwordSchema = opaqueText({ max: 1024 })
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((p) => !isCommonPassword(p), "This password is too common; choose another");

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

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export const passwordResetRequestBody = z.strictObject({
  email: emailSchema,
  captchaToken: opaqueText({ max: 4096, min: 1 }).optional(),
});

/** The token from the reset link's fragment, and the new password. */
export const passwordResetBody = z.strictObject({
  token: opaqueText({ max: 43 }).regex(/^[A-Za-z0-9_-]{43}$/, "Malformed token"),
  newPassword: passwordSchema,
});

/** The providers Nora can sign in with; each is enabled only when its client id and secret are set. */
export const OAUTH_PROVIDERS = ["github", "google"] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDERS)[number];

/** Any short name; unknown and disabled providers both answer 404, so nothing is revealed by the shape. */
export const oauthProviderParams = z.strictObject({ provider: singleLineText({ max: 40, min: 1 }) });

export const identityParams = z.strictObject({ id: z.uuid() });

/* Responses */

export const publicUser = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(["user", "admin"]),
  displayName: z.string().nullable(),
  emailVerified: z.boolean(),
});
export type PublicUser = z.infer<typeof publicUser>;

export const bootstrapStatusResponse = z.object({
  needsClaim: z.boolean(),
  signup: z.object({
    mode: z.enum(SIGNUP_MODES),
    newAccounts: z.enum(["open", "invitation", "closed"]),
  }),
  signIn: z.object({ password: z.boolean(), github: z.boolean(), google: z.boolean() }),
  captcha: z.object({ provider: z.enum(["turnstile", "recaptcha"]), siteKey: z.string() }).nullable(),
  /** Whether "forgot password" can work: the server can send email. */
  passwordReset: z.boolean(),
});

/** A reset request answers the same whether or not the address has an account. */
export const passwordResetRequestedResponse = z.object({ status: z.literal("ok") });

/** Signup answers the same whether or not the address already has an account. */
export const signupResponse = z.object({ status: z.literal("ok") });
export const userResponse = z.object({ user: publicUser });
export const logoutAllResponse = z.object({ revoked: z.number().int() });

export const meResponse = z.object({
  user: publicUser,
  via: z.enum(["session", "api_key"]),
  /** Present when the caller is an API key. */
  apiKey: z.object({ id: z.uuid(), workspaceId: z.uuid(), scopes: z.array(z.string()) }).optional(),
});

export const verificationSentResponse = z.object({ status: z.literal("sent"), expiresAt: timestamp });

export const sessionsResponse = z.object({
  sessions: z.array(
    z.object({
      id: z.uuid(),
      current: z.boolean(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      createdAt: timestamp,
      lastSeenAt: timestamp,
      expiresAt: timestamp,
    }),
  ),
});

export const oauthLinkResponse = z.object({ authorizationUrl: z.url() });

export const identitiesResponse = z.object({
  identities: z.array(
    z.object({
      id: z.uuid(),
      provider: z.enum(OAUTH_PROVIDERS),
      email: z.string().nullable(),
      createdAt: timestamp,
      lastLoginAt: timestamp.nullable(),
    }),
  ),
  hasPassword: z.boolean(),
});
