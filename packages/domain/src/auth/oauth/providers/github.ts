import * as client from "openid-client";
import { z } from "zod";
import {
  type AuthorizationParams,
  allowsInsecureHttp,
  type CallbackParams,
  type OAuthProvider,
  PROVIDER_TIMEOUT_MS,
  type ProviderIdentity,
} from "./types.js";

export interface GitHubSettings {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or a GitHub Enterprise host. */
  oauthUrl: string;
  /** https://api.github.com, or `https://<host>/api/v3` for GitHub Enterprise. */
  apiUrl: string;
}

const githubUser = z.object({
  id: z.number().int().nonnegative(),
  login: z.string().min(1).max(255),
  name: z.string().max(255).nullish(),
});

const githubEmails = z.array(
  z.object({ email: z.string().max(320), primary: z.boolean(), verified: z.boolean() }),
);

const withSlash = (url: string) => (url.endsWith("/") ? url : `${url}/`);

/**
 * GitHub is plain OAuth 2.0 (no discovery, no ID token): the endpoints are fixed paths under
 * GITHUB_OAUTH_URL, the identity comes from the REST API. openid-client still runs the code flow,
 * so state and PKCE (S256) are checked by the same library as for OIDC providers.
 */
export function githubProvider(settings: GitHubSettings): OAuthProvider {
  const insecureOAuth = allowsInsecureHttp(settings.oauthUrl, "GITHUB_OAUTH_URL");
  const insecureApi = allowsInsecureHttp(settings.apiUrl, "GITHUB_API_URL");
  const oauthBase = withSlash(settings.oauthUrl);
  const apiBase = withSlash(settings.apiUrl);

  const configuration = new client.Configuration(
    {
      issuer: new URL(oauthBase).href,
      authorization_endpoint: new URL("login/oauth/authorize", oauthBase).href,
      token_endpoint: new URL("login/oauth/access_token", oauthBase).href,
    },
    settings.clientId,
    settings.clientSecret,
    client.ClientSecretPost(settings.clientSecret),
  );
  configuration.timeout = PROVIDER_TIMEOUT_MS / 1000;
  if (insecureOAuth) client.allowInsecureRequests(configuration);

  async function api(path: string, accessToken: string): Promise<unknown> {
    const url = new URL(path, apiBase);
    if (url.protocol !== "https:" && !insecureApi) throw new Error("GitHub API must be https");
    const res = await fetch(url, {
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${accessToken}`,
        "x-github-api-version": "2022-11-28",
        "user-agent": "Nora",
      },
      redirect: "error",
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`GitHub API ${path} answered ${res.status}`);
    return res.json();
  }

  return {
    name: "github",
    usesNonce: false,

    async authorizationUrl(params: AuthorizationParams) {
      return client.buildAuthorizationUrl(configuration, {
        redirect_uri: params.redirectUri,
        scope: "read:user user:email",
        state: params.state,
        code_challenge: params.codeChallenge,
        code_challenge_method: "S256",
      });
    },

    async identify(params: CallbackParams): Promise<ProviderIdentity> {
      const tokens = await client.authorizationCodeGrant(configuration, params.currentUrl, {
        pkceCodeVerifier: params.codeVerifier,
        expectedState: params.state,
        idTokenExpected: false,
      });
      const user = githubUser.parse(await api("user", tokens.access_token));
      const emails = githubEmails.parse(await api("user/emails", tokens.access_token));
      // Only the primary address, and only when GitHub has verified it.
      const primary = emails.find((e) => e.primary);
      return {
        subject: String(user.id),
        email: primary?.email ?? null,
        emailVerified: primary?.verified === true,
        displayName: (user.name || user.login).slice(0, 100),
      };
    },
  };
}
