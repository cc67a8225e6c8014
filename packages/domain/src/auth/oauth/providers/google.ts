import * as client from "openid-client";
import {
  type AuthorizationParams,
  allowsInsecureHttp,
  type CallbackParams,
  isTrue,
  type OAuthProvider,
  PROVIDER_TIMEOUT_MS,
  type ProviderIdentity,
} from "./types.js";

export interface GoogleSettings {
  clientId: string;
  clientSecret: string;
  /** The OIDC issuer, discovered at `<issuer>/.well-known/openid-configuration`. */
  issuerUrl: string;
}

/**
 * Google through OpenID Connect: discovery, the code flow with PKCE (S256), state and nonce, the ID
 * token validated by openid-client (signature against the issuer's JWKS, issuer, audience, expiry,
 * nonce), then userinfo for `email` and `email_verified` (bound to the ID token's subject).
 */
export function googleProvider(settings: GoogleSettings): OAuthProvider {
  const insecure = allowsInsecureHttp(settings.issuerUrl, "GOOGLE_ISSUER_URL");
  let discovered: Promise<client.Configuration> | undefined;

  /** Discovered once, lazily; a failed discovery is retried on the next sign-in. */
  function configuration(): Promise<client.Configuration> {
    if (!discovered) {
      const pending = client.discovery(
        new URL(settings.issuerUrl),
        settings.clientId,
        settings.clientSecret,
        client.ClientSecretPost(settings.clientSecret),
        {
          timeout: PROVIDER_TIMEOUT_MS / 1000,
          ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
        },
      );
      discovered = pending;
      pending.catch(() => {
        if (discovered === pending) discovered = undefined;
      });
    }
    return discovered;
  }

  return {
    name: "google",
    usesNonce: true,

    async authorizationUrl(params: AuthorizationParams) {
      return client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: params.redirectUri,
        scope: "openid email profile",
        state: params.state,
        ...(params.nonce ? { nonce: params.nonce } : {}),
        code_challenge: params.codeChallenge,
        code_challenge_method: "S256",
      });
    },

    async identify(params: CallbackParams): Promise<ProviderIdentity> {
      if (!params.nonce) throw new Error("an OIDC flow needs its nonce");
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, params.currentUrl, {
        pkceCodeVerifier: params.codeVerifier,
        expectedState: params.state,
        expectedNonce: params.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error("the token response carried no ID token");
      // userinfo is checked against the ID token's subject (a mismatch throws).
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      // Address and flag are read from the same document: userinfo when it names an address, else the ID token.
      const source: Record<string, unknown> = typeof userinfo.email === "string" ? userinfo : claims;
      const email = typeof source.email === "string" ? source.email : undefined;
      const name = typeof userinfo.name === "string" ? userinfo.name : claims.name;
      return {
        subject: claims.sub,
        email: email ?? null,
        emailVerified: email !== undefined && isTrue(source.email_verified),
        displayName: typeof name === "string" && name ? name.slice(0, 100) : null,
      };
    },
  };
}
