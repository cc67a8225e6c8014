import { emailSchema } from "@nora/api-contract";
import {
  type Config,
  conflict,
  type Logger,
  notFound,
  type Pool,
  type Redis,
  withTransaction,
} from "@nora/core";
import * as client from "openid-client";
import { recordAudit } from "../../audit/service.js";
import { recordEmailVerified } from "../email-verification.js";
import { findUserByEmail, findUserById, insertUserClaimingIfFirst, lockUser, type UserRow } from "../repo.js";
import { type AuthService, createAuthService, type IssuedSession, type RequestContext } from "../service.js";
import { admitOAuthSignup } from "../signup-policy.js";
import { githubProvider } from "./providers/github.js";
import { googleProvider } from "./providers/google.js";
import {
  isProviderName,
  OAuthFlowError,
  type OAuthProvider,
  type ProviderIdentity,
  type ProviderName,
} from "./providers/types.js";
import {
  deleteIdentity,
  findIdentity,
  insertIdentity,
  listUserIdentities,
  lockIdentity,
  touchIdentity,
} from "./repo.js";
import {
  bindingHash,
  bindingMatches,
  createStateStore,
  hashMatches,
  type PendingFlow,
} from "./state-store.js";

/** The enabled providers, built from configuration (a bad provider URL fails here, at boot). */
export function buildProviders(config: Config): Map<ProviderName, OAuthProvider> {
  const providers = new Map<ProviderName, OAuthProvider>();
  const { github, google } = config.identity.oauth;
  if (github) providers.set("github", githubProvider(github));
  if (google) providers.set("google", googleProvider(google));
  return providers;
}

type Outcome = { user: UserRow; via: "identity" | "linked" | "created" };

/** The signed-in session a link flow is started from, and must be completed by. */
export interface LinkingSession {
  userId: string;
  sessionId: string;
}

export type Completion =
  | { kind: "signed_in"; issued: IssuedSession }
  | { kind: "linked"; provider: ProviderName; alreadyLinked: boolean };

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
        await admitOAuthSignup(tx, config, email);
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
          metadata: { provider, via: "sign_in" },
        });
      }
      return { user, via };
    });
  }

  /**
   * Links a provider identity to the signed-in user who asked for it from settings. Authorized by
   * that session, not by the address: any identity not already another account's may be linked. When
   * the provider vouches for the user's own address, the address counts as verified.
   */
  async function linkIdentity(
    userId: string,
    provider: ProviderName,
    identity: ProviderIdentity,
    ctx: RequestContext,
  ): Promise<{ alreadyLinked: boolean }> {
    const audit = { requestId: ctx.requestId, ...(ctx.ip ? { ip: ctx.ip } : {}) };
    return withTransaction(pool, async (tx) => {
      await lockIdentity(tx, provider, identity.subject);
      const user = await lockUser(tx, userId);
      if (!user) throw new OAuthFlowError("oauth_failed", "linking user vanished");
      if (user.disabledAt) throw new OAuthFlowError("oauth_account_disabled", "account disabled");
      const known = await findIdentity(tx, provider, identity.subject);
      if (known) {
        if (known.userId !== userId) {
          throw new OAuthFlowError("oauth_identity_in_use", `${provider} identity linked to another account`);
        }
        return { alreadyLinked: true };
      }
      const verified = identity.emailVerified ? emailSchema.safeParse(identity.email).data : undefined;
      const inserted = await insertIdentity(tx, {
        userId,
        provider,
        subject: identity.subject,
        email: verified ?? null,
      });
      await recordAudit(tx, {
        actor: { type: "user", userId },
        action: "auth.oauth.linked",
        target: { type: "user_identity", id: inserted.id },
        ...audit,
        metadata: { provider, via: "settings" },
      });
      if (verified === user.email) await recordEmailVerified(tx, userId, `oauth:${provider}`, ctx);
      return { alreadyLinked: false };
    });
  }

  /** The identity the provider vouches for, after its own answer (e.g. a cancel) is checked. */
  async function identify(
    name: ProviderName,
    provider: OAuthProvider,
    flow: PendingFlow,
    params: URLSearchParams,
  ): Promise<ProviderIdentity> {
    if (params.has("error")) {
      const code = params.get("error") === "access_denied" ? "oauth_denied" : "oauth_provider_error";
      throw new OAuthFlowError(code, `${name} answered with an error`);
    }
    const currentUrl = new URL(redirectUri(name));
    currentUrl.search = params.toString();
    try {
      return await provider.identify({
        currentUrl,
        state: flow.state,
        codeVerifier: flow.codeVerifier,
        ...(flow.nonce ? { nonce: flow.nonce } : {}),
      });
    } catch (error) {
      throw providerFailure(name, "code exchange or identity", error);
    }
  }

  async function finish(
    name: ProviderName,
    provider: OAuthProvider,
    flow: PendingFlow,
    params: URLSearchParams,
    ctx: RequestContext,
  ): Promise<IssuedSession> {
    const identity = await identify(name, provider, flow, params);
    const { user } = await resolveUser(name, identity, ctx);
    return auth.issueSession(user, ctx, `oauth:${name}`);
  }

  return {
    isEnabled(name: string): name is ProviderName {
      return isProviderName(name) && providers.has(name);
    },

    enabledProviders(): ProviderName[] {
      return [...providers.keys()];
    },

    /**
     * Begins a sign-in (or, with `link`, the linking of a provider to the signed-in user): a fresh
     * state, PKCE verifier and (OIDC) nonce, kept in Redis bound to the browser's flow cookie and, for a
     * link, to the session that asked; returns the provider's authorization URL.
     */
    async start(name: ProviderName, binding: string, link?: LinkingSession): Promise<URL> {
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
        ...(link ? { link: { userId: link.userId, sessionHash: bindingHash(link.sessionId) } } : {}),
      });
      return url;
    },

    /**
     * Finishes a sign-in or a link from the provider's redirect. `query` is the raw query string of
     * the callback request, `session` the session the callback arrived with. The state is consumed
     * first (single use), then checked against the provider, the browser binding and, for a link, the
     * session that started it; only then is the code exchanged.
     */
    async complete(
      name: ProviderName,
      query: string,
      binding: string | undefined,
      ctx: RequestContext,
      session?: LinkingSession,
    ): Promise<Completion> {
      const provider = providers.get(name);
      if (!provider) throw new OAuthFlowError("oauth_failed", "provider not enabled");
      const params = new URLSearchParams(query);
      const state = params.get("state");
      const flow = state && state.length <= 512 ? await states.take(state) : undefined;
      if (!flow || flow.provider !== name || !bindingMatches(flow.bindingHash, binding)) {
        throw new OAuthFlowError("oauth_state_invalid", "unknown, expired, replayed or foreign state");
      }
      const link = flow.link;
      if (!link) return { kind: "signed_in", issued: await finish(name, provider, flow, params, ctx) };
      try {
        if (!session || session.userId !== link.userId || !hashMatches(link.sessionHash, session.sessionId)) {
          throw new OAuthFlowError("oauth_link_session_mismatch", "link completed by another session");
        }
        const identity = await identify(name, provider, flow, params);
        const { alreadyLinked } = await linkIdentity(link.userId, name, identity, ctx);
        return { kind: "linked", provider: name, alreadyLinked };
      } catch (error) {
        if (!(error instanceof OAuthFlowError)) throw error;
        throw new OAuthFlowError(error.code, error.message, { cause: error.cause, flow: "link" });
      }
    },

    async listIdentities(userId: string) {
      const user = await findUserById(pool, userId);
      return { identities: await listUserIdentities(pool, userId), hasPassword: Boolean(user?.passwordHash) };
    },

    /** Removes a linked identity, never the last way to sign in (a password or another identity). */
    async unlink(userId: string, identityId: string, ctx: RequestContext): Promise<void> {
      await withTransaction(pool, async (tx) => {
        const user = await lockUser(tx, userId);
        const identities = await listUserIdentities(tx, userId);
        const target = identities.find((i) => i.id === identityId);
        if (!user || !target) throw notFound("No such linked sign-in method");
        if (!user.passwordHash && identities.length === 1) {
          throw conflict("last_sign_in_method", "This is your only way to sign in; add another one first");
        }
        await deleteIdentity(tx, userId, identityId);
        await recordAudit(tx, {
          actor: { type: "user", userId },
          action: "auth.oauth.unlinked",
          target: { type: "user_identity", id: identityId },
          requestId: ctx.requestId,
          ...(ctx.ip ? { ip: ctx.ip } : {}),
          metadata: { provider: target.provider },
        });
      });
    },
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
