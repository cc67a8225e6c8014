import {
  authRoutes,
  type bootstrapStatusResponse,
  OAUTH_PROVIDERS,
  type OAuthProviderName,
  oauthRoutes,
  type PublicUser,
} from "@nora/api-contract";
import type { z } from "zod";
import { type ApiClientOptions, createCaller, urlOf } from "./client.js";
import { ApiError } from "./errors.js";
import type { CallInput, CallOutput } from "./types.js";

export type BootstrapStatus = z.output<typeof bootstrapStatusResponse>;
export type SignUpInput = CallInput<typeof authRoutes.signup>["body"];
export type SignInInput = CallInput<typeof authRoutes.login>["body"];
export type PasswordResetRequestInput = CallInput<typeof authRoutes.requestPasswordReset>["body"];
export type PasswordResetInput = CallInput<typeof authRoutes.resetPassword>["body"];
export type Me = CallOutput<typeof authRoutes.me>;

/** An OAuth provider the server has enabled, with where a sign-in with it starts. */
export interface OAuthProviderLink {
  provider: OAuthProviderName;
  label: string;
  /** A browser navigation (the API answers with a redirect to the provider), never a fetch. */
  startUrl: string;
}

const PROVIDER_LABELS: Record<OAuthProviderName, string> = { github: "GitHub", google: "Google" };

/**
 * The calls of sign-in, signup, the claim, email verification and password reset, for the browser:
 * same-origin with the session cookie (the API sets it HttpOnly; nothing here stores a token). Built
 * on the auth and OAuth routes alone, so a page that uses it does not bundle the rest of the contract.
 */
export function createAuthApi(options: ApiClientOptions) {
  const { call, baseUrl } = createCaller(options);

  const signIn = async (body: SignInInput): Promise<PublicUser> =>
    (await call(authRoutes.login, { body })).user;

  const oauthStartUrl = (provider: OAuthProviderName): string =>
    `${baseUrl}${urlOf(oauthRoutes.start, { params: { provider } })}`;

  return {
    /** Whether the server is claimed, who may sign up, the sign-in methods, the captcha, and reset. */
    bootstrapStatus: (): Promise<BootstrapStatus> => call(authRoutes.bootstrapStatus),

    /** Creates an account; `202` whether or not the address had one (it signs nobody in). */
    signUp: (body: SignUpInput) => call(authRoutes.signup, { body }),

    /** Signs in with a password; the API sets the session cookie. */
    signIn,

    /**
     * Claims an unclaimed server: creates the first account, which becomes platform admin, and signs
     * it in. A sign-in refused afterwards means someone else claimed the server first.
     */
    claim: async (body: SignUpInput & { email: string; password: string }): Promise<PublicUser> => {
      await call(authRoutes.signup, { body });
      return signIn({ email: body.email, password: body.password });
    },

    /** Ends this session (the API revokes it and clears the cookie). */
    signOut: () => call(authRoutes.logout),

    /** The signed-in caller, or `null` when there is no valid session. */
    me: async (): Promise<Me | null> => {
      try {
        return await call(authRoutes.me);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },

    /** Confirms the address with the token from the verification link (needs the account's session). */
    verifyEmail: async (token: string): Promise<PublicUser> =>
      (await call(authRoutes.verifyEmail, { body: { token } })).user,

    /** Mails the verification link again. */
    resendVerification: () => call(authRoutes.resendVerification),

    /** Mails a reset link; `202` whether or not the address has an account. */
    requestPasswordReset: (body: PasswordResetRequestInput) =>
      call(authRoutes.requestPasswordReset, { body }),

    /** Sets a new password with the token from the reset link; every session of the account ends. */
    resetPassword: (body: PasswordResetInput) => call(authRoutes.resetPassword, { body }),

    oauthStartUrl,

    /** The providers enabled on this server, in a fixed order, each with its start URL. */
    oauthProviders: (status: Pick<BootstrapStatus, "signIn">): OAuthProviderLink[] =>
      OAUTH_PROVIDERS.filter((provider) => status.signIn[provider]).map((provider) => ({
        provider,
        label: PROVIDER_LABELS[provider],
        startUrl: oauthStartUrl(provider),
      })),
  };
}

export type AuthApi = ReturnType<typeof createAuthApi>;
