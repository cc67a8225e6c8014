import { type Config, type Logger, type Pool, type Redis, withTransaction } from "@nora/core";
import * as client from "openid-client";
import { recordAudit } from "../../audit/service.js";
import { findUserByEmail, findUserById, insertUserClaimingIfFirst, type UserRow } from "../repo.js";
import { emailSchema } from "../schema.js";
import { type AuthService, createAuthService, type IssuedSession, type RequestContext } from "../service.js";
import { githubProvider } from "./providers/github.js";
import { googleProvider } from "./providers/google.js";
import {
  isProviderName,
  OAuthFlowError,
  type OAuthProvider,
  type ProviderIdentity,
  type ProviderName,
} from "./providers/types.js";
import { findIdentity, insertIdentity, lockIdentity, touchIdentity } from "./repo.js";
import { bindingHash, bindingMatches, createStateStore } from "./state-store.js";

/** The enabled providers, built from configuration (a bad provider URL fails here, at boot). */
export function buildProviders(config: Config): Map<ProviderName, OAuthProvider> {
  const providers = new Map<ProviderName, OAuthProvider>();
  const { github, google } = config.identity.oauth;
  if (github) providers.set("github", githubProvider(github));
  if (google) providers.set("google", googleProvider(google));
  return providers;
}

type Outcome = { user: UserRow; via: "identity" | "linked" | "created" };

export function createOAuthService(deps: {
  config: Config;
  pool: Pool;
  redis: Redis;
  logger: Logger;
  /** Issues the session; defaults to the auth service over the same dependencies. */
  auth?: Pick<AuthService, "issueSession">;
  /** Providers by name; defaults to those the configuration enables. */
  providers?: Map<ProviderName, OAuthProvider>;
}) {
  const { config, pool } = deps;
  const auth = deps.auth ?? createAuthService(deps);
  const providers = deps.providers ?? buildProviders(config);
  const states = createStateStore(deps.redis, config.redis.keyPrefix);
  const publicOrigin = new URL(config.api.publicUrl).origin;

  const redirectUri = (provider: ProviderName) => `${publicOrigin}/api/auth/oauth/${provider}/callback`;

  function providerFailure(provider: ProviderName, step: string, error: unknown): OAuthFlowError {
    return new OAuthFlowError("oauth_provider_error", `${provider}: ${step} failed`, { cause: error });
  }

  /**
   * Finds or creates the Nora user for a provider identity, in one transaction:
   * 1. a known identity (provider, subject) signs in its user;
   * 2. else, only with an address the provider has verified: an account with that address is linked
   *    only when the account has proven the address too (else whoever signed up with it, password and
   *    sessions included, would share the account with its owner), or a new account is created (the
   *    first one claims admin).
   * A disabled account is refused before anything is linked.
   */
  async function resolveUser(
    provider: ProviderName,
    identity: ProviderIdentity,
    ctx: RequestContext,
  ): Promise<Outcome> {
    const audit = { requestId: ctx.requestId, ...(ctx.ip ? { ip: ctx.ip } : {}) };
    return withTransaction(pool, async (tx) => {
      await lockIdentity(tx, provider, identity.subject);
      const known = await findIdentity(tx, provider, identity.subject);
      if (known) {
        const user = await findUserById(tx, known.userId);
        if (!user) throw new OAuthFlowError("oauth_failed", "identity without a user");
        if (user.disabledAt) throw new OAuthFlowError("oauth_account_disabled", "account disabled");
        // The identity keeps the last address the provider vouched for.
        const verified = identity.emailVerified ? emailSchema.safeParse(identity.email).data : undefined;
        await touchIdentity(tx, known.id, verified ?? known.email);
        return { user, via: "identity" };
      }

      const email = identity.email === null ? undefined : emailSchema.safeParse(identity.email).data;
      if (!email || !identity.emailVerified) {
        throw new OAuthFlowError("oauth_email_unverified", `${provider} reported no verified email`);
      }

      let user = await findUserByEmail(tx, email);
      let via: Outcome["via"] = "linked";
      if (!user) {
        const created = await insertUserClaimingIfFirst(tx, {
          email,
          passwordHash: null,
          emailVerified: identity.emailVerified,
          displayName: identity.displayName,
        });
        if (created) {
          user = created;
          via = "created";
        } else {
          // Only a concurrent signup with the same address makes the insert a no-op: the same rules
          // as for any existing account apply to it.
          user = await findUserByEmail(tx, email);
        }
        if (!user) throw new OAuthFlowError("oauth_failed", "user vanished during creation");
      }
      if (user.disabledAt) throw new OAuthFlowError("oauth_account_disabled", "account disabled");
      if (via === "linked" && !user.emailVerified) {
        throw new OAuthFlowError("oauth_link_required", "an account with this address never verified it");
      }

      const inserted = await insertIdentity(tx, {
        userId: user.id,
        provider,
        subject: identity.subject,
        email,
      });
      if (via === "created") {
        await recordAudit(tx, {
          actor: { type: "user", userId: user.id },
          action: user.role === "admin" ? "platform.claimed" : "user.signed_up",
          target: { type: "user", id: user.id },
          ...audit,
          metadata: { method: `oauth:${provider}` },
        });
      } else {
        await recordAudit(tx, {
          actor: { type: "user", userId: user.id },
          action: "auth.oauth.linked",
          target: { type: "user_identity", id: inserted.id },
          ...audit,
          metadata: { provider },
        });
      }
      return { user, via };
    });
  }

  return {
    isEnabled(name: string): name is ProviderName {
      return isProviderName(name) && providers.has(name);
    },

    enabledProviders(): ProviderName[] {
      return [...providers.keys()];
    },

    /**
     * Begins a sign-in: a fresh state, PKCE verifier and (OIDC) nonce, kept in Redis bound to the
     * browser's flow cookie; returns the provider's authorization URL.
     */
    async start(name: ProviderName, binding: string): Promise<URL> {
      const provider = providers.get(name);
      if (!provider) throw new OAuthFlowError("oauth_failed", "provider not enabled");
      const state = client.randomState();
      const codeVerifier = client.randomPKCECodeVerifier();
      const nonce = provider.usesNonce ? client.randomNonce() : undefined;
      let url: URL;
      try {
        url = await provider.authorizationUrl({
          redirectUri: redirectUri(name),
          state,
          codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
          ...(nonce ? { nonce } : {}),
        });
      } catch (error) {
        throw providerFailure(name, "authorization request", error);
      }
      await states.save({
        provider: name,
        state,
        codeVerifier,
        ...(nonce ? { nonce } : {}),
        bindingHash: bindingHash(binding),
      });
      return url;
    },

    /**
     * Finishes a sign-in from the provider's redirect. `query` is the raw query string of the
     * callback request. The state is consumed first (single use), then checked against the
     * provider and the browser binding; only then is the code exchanged.
     */
    async complete(
      name: ProviderName,
      query: string,
      binding: string | undefined,
      ctx: RequestContext,
    ): Promise<IssuedSession> {
      const provider = providers.get(name);
      if (!provider) throw new OAuthFlowError("oauth_failed", "provider not enabled");
      const params = new URLSearchParams(query);
      const state = params.get("state");
      const flow = state && state.length <= 512 ? await states.take(state) : undefined;
      if (!flow || flow.provider !== name || !bindingMatches(flow.bindingHash, binding)) {
        throw new OAuthFlowError("oauth_state_invalid", "unknown, expired, replayed or foreign state");
      }
      // The provider's own answer (e.g. the user cancelled), after the state proved it ours.
      if (params.has("error")) {
        const code = params.get("error") === "access_denied" ? "oauth_denied" : "oauth_provider_error";
        throw new OAuthFlowError(code, `${name} answered with an error`);
      }

      const currentUrl = new URL(redirectUri(name));
      currentUrl.search = params.toString();
      let identity: ProviderIdentity;
      try {
        identity = await provider.identify({
          currentUrl,
          state: flow.state,
          codeVerifier: flow.codeVerifier,
          ...(flow.nonce ? { nonce: flow.nonce } : {}),
        });
      } catch (error) {
        throw providerFailure(name, "code exchange or identity", error);
      }

      const { user } = await resolveUser(name, identity, ctx);
      return auth.issueSession(user, ctx, `oauth:${name}`);
    },
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
