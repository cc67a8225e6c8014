import {
  bootstrapStatusResponse,
  changePasswordBody,
  identitiesResponse,
  identityParams,
  loginBody,
  logoutAllResponse,
  meResponse,
  oauthLinkResponse,
  oauthProviderParams,
  passwordResetBody,
  passwordResetRequestBody,
  passwordResetRequestedResponse,
  sessionIdParams,
  sessionsResponse,
  signupBody,
  signupResponse,
  userResponse,
  verificationSentResponse,
  verifyEmailBody,
} from "./auth.js";
import { healthResponse, notReadyResponse, readyResponse } from "./health.js";
import { defineRoute, empty, redirect } from "./route.js";

const PUBLIC = { kind: "public" } as const;
const SESSION = { kind: "session" } as const;

export const healthRoutes = {
  health: defineRoute({
    method: "GET",
    path: "/api/health",
    requirement: PUBLIC,
    summary: "Liveness: the process is up and serving",
    responses: { 200: healthResponse },
  }),
  ready: defineRoute({
    method: "GET",
    path: "/api/ready",
    requirement: PUBLIC,
    summary: "Readiness: PostgreSQL and Redis answer and every migration is applied",
    responses: { 200: readyResponse, 503: notReadyResponse },
  }),
};

export const authRoutes = {
  bootstrapStatus: defineRoute({
    method: "GET",
    path: "/api/auth/bootstrap-status",
    requirement: PUBLIC,
    summary: "Whether the server is claimed, who may sign up, and how to sign in",
    responses: { 200: bootstrapStatusResponse },
  }),
  signup: defineRoute({
    method: "POST",
    path: "/api/auth/signup",
    requirement: PUBLIC,
    summary: "Create an account (the same answer whether or not the address has one)",
    body: signupBody,
    responses: { 202: signupResponse },
  }),
  login: defineRoute({
    method: "POST",
    path: "/api/auth/login",
    requirement: PUBLIC,
    summary: "Sign in with a password; sets the session cookie",
    body: loginBody,
    responses: { 200: userResponse },
  }),
  logout: defineRoute({
    method: "POST",
    path: "/api/auth/logout",
    requirement: SESSION,
    summary: "End this session",
    responses: { 204: empty },
  }),
  logoutAll: defineRoute({
    method: "POST",
    path: "/api/auth/logout-all",
    requirement: SESSION,
    summary: "End every session of the user",
    responses: { 200: logoutAllResponse },
  }),
  me: defineRoute({
    method: "GET",
    path: "/api/auth/me",
    requirement: { kind: "authenticated" },
    summary: "The caller: a session's user, or an API key and its creator",
    responses: { 200: meResponse },
  }),
  verifyEmail: defineRoute({
    method: "POST",
    path: "/api/auth/verify-email",
    requirement: SESSION,
    summary: "Confirm the email address with the token from the verification link",
    body: verifyEmailBody,
    responses: { 200: userResponse },
  }),
  resendVerification: defineRoute({
    method: "POST",
    path: "/api/auth/verify-email/resend",
    requirement: SESSION,
    summary: "Send the verification email again",
    responses: { 202: verificationSentResponse },
  }),
  requestPasswordReset: defineRoute({
    method: "POST",
    path: "/api/auth/password-reset/request",
    requirement: PUBLIC,
    summary: "Mail a password reset link (the same answer whether or not the address has an account)",
    body: passwordResetRequestBody,
    responses: { 202: passwordResetRequestedResponse },
  }),
  resetPassword: defineRoute({
    method: "POST",
    path: "/api/auth/password-reset",
    requirement: PUBLIC,
    summary: "Set a new password with the token from the reset link; every session of the account ends",
    body: passwordResetBody,
    responses: { 204: empty },
  }),
  changePassword: defineRoute({
    method: "PATCH",
    path: "/api/auth/password",
    requirement: SESSION,
    summary: "Change the password; every other session ends",
    body: changePasswordBody,
    responses: { 204: empty },
  }),
  sessions: defineRoute({
    method: "GET",
    path: "/api/auth/sessions",
    requirement: SESSION,
    summary: "The user's live sessions",
    responses: { 200: sessionsResponse },
  }),
  revokeSession: defineRoute({
    method: "DELETE",
    path: "/api/auth/sessions/:sessionId",
    requirement: SESSION,
    summary: "End one of the user's sessions",
    params: sessionIdParams,
    responses: { 204: empty },
  }),
};

export const oauthRoutes = {
  start: defineRoute({
    method: "GET",
    path: "/api/auth/oauth/:provider/start",
    requirement: PUBLIC,
    summary: "Start an OAuth sign-in (a browser navigation, not a fetch)",
    params: oauthProviderParams,
    responses: {
      302: redirect("To the provider's authorization page, or to /login?error=<code> when it cannot start"),
    },
  }),
  callback: defineRoute({
    method: "GET",
    path: "/api/auth/oauth/:provider/callback",
    requirement: PUBLIC,
    summary: "The provider's redirect back; sets the session cookie or completes a link",
    params: oauthProviderParams,
    responses: {
      302: redirect(
        "To /app when signed in, to the account settings when linked, or to /login?error=<code> on failure",
      ),
    },
  }),
  link: defineRoute({
    method: "POST",
    path: "/api/auth/oauth/:provider/link",
    requirement: SESSION,
    summary: "Start linking a provider to the signed-in account",
    params: oauthProviderParams,
    responses: { 200: oauthLinkResponse },
  }),
  identities: defineRoute({
    method: "GET",
    path: "/api/auth/identities",
    requirement: SESSION,
    summary: "The account's linked sign-in methods",
    responses: { 200: identitiesResponse },
  }),
  unlink: defineRoute({
    method: "DELETE",
    path: "/api/auth/identities/:id",
    requirement: SESSION,
    summary: "Remove a linked sign-in method (never the last way to sign in)",
    params: identityParams,
    responses: { 204: empty },
  }),
};
