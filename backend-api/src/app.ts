import { type Config, Keyring, type Logger, type Pool, type Redis } from "@nora/core";
import express, { type Express, type Router } from "express";
import type { AuthCache } from "./http/auth-cache.js";
import { authenticate, startAuthCacheSync } from "./http/authenticate.js";
import { createAuthorizer } from "./http/authorize.js";
import { corsPolicy } from "./http/cors.js";
import { errorHandler, notFoundHandler } from "./http/error-handler.js";
import { jsonBody } from "./http/json-body.js";
import { rateLimit } from "./http/rate-limit.js";
import { requestId } from "./http/request-id.js";
import { requestLogging } from "./http/request-logging.js";
import { securityHeaders } from "./http/security-headers.js";
import { adminRoutes } from "./modules/admin/routes.js";
import { createAdminService } from "./modules/admin/service.js";
import { createProviderSyncService } from "./modules/agents/provider-sync.js";
import { providerSyncRoutes } from "./modules/agents/provider-sync-routes.js";
import { findAgentWorkspace } from "./modules/agents/repo.js";
import { agentSecretRoutes } from "./modules/agents/secrets-routes.js";
import { createAgentSecretsService } from "./modules/agents/secrets-service.js";
import { apiKeyRoutes } from "./modules/api-keys/routes.js";
import { createApiKeyService } from "./modules/api-keys/service.js";
import { auditRoutes } from "./modules/audit/routes.js";
import { oauthRoutes } from "./modules/auth/oauth/routes.js";
import { createOAuthService } from "./modules/auth/oauth/service.js";
import { authRoutes } from "./modules/auth/routes.js";
import { createAuthService } from "./modules/auth/service.js";
import { channelRoutes } from "./modules/channels/routes.js";
import { createChannelService } from "./modules/channels/service.js";
import { healthRoutes } from "./modules/health/routes.js";
import { createReadinessService } from "./modules/health/service.js";
import { integrationRoutes } from "./modules/integrations/routes.js";
import { createIntegrationService } from "./modules/integrations/service.js";
import { createMailer, type Mailer } from "./modules/invitations/mailer.js";
import { invitationRoutes } from "./modules/invitations/routes.js";
import { createInvitationService } from "./modules/invitations/service.js";
import { platformSettingsRoutes } from "./modules/platform-settings/routes.js";
import { createPlatformSettingsService } from "./modules/platform-settings/service.js";
import { providerRoutes } from "./modules/providers/routes.js";
import { createProviderService } from "./modules/providers/service.js";
import { secretsRoutes } from "./modules/secrets/routes.js";
import { createSecretsService } from "./modules/secrets/service.js";
import { findRole, findWorkspace } from "./modules/workspaces/repo.js";
import { workspaceRoutes } from "./modules/workspaces/routes.js";
import { createWorkspaceService } from "./modules/workspaces/service.js";

export interface AppDependencies {
  config: Config;
  logger: Logger;
  pool: Pool;
  /** A "command" role connection: fails fast when Redis is away. */
  redis: Redis;
  migrationsDir?: string;
  /** Authentication cache, live only while its change listener runs (see http/auth-cache.ts). */
  authCache?: AuthCache;
  /** Invitation delivery; defaults to SMTP when configured. */
  mailer?: Mailer;
  /** Extra routers mounted after the built-in ones (tests use this to add probe routes). */
  extraRoutes?: Router[];
}

/** The services behind the routes, built once per app. */
export function buildServices(deps: AppDependencies) {
  const { config, pool, redis, logger } = deps;
  const mailer = deps.mailer ?? createMailer(config);
  const keyring = Keyring.fromConfig(config);
  // Operator-facing outbound calls refuse private destinations except those the operator allowlists.
  const outbound = { policy: { allowedCidrs: config.network.outboundAllowedCidrs } };
  return {
    auth: createAuthService({ config, pool, redis, logger }),
    oauth: createOAuthService({ config, pool, redis, logger }),
    workspaces: createWorkspaceService({
      pool,
      readWorkspace: (id) => {
        const load = () => findWorkspace(pool, id);
        return deps.authCache ? deps.authCache.read(deps.authCache.workspaces, id, load) : load();
      },
    }),
    apiKeys: createApiKeyService({ config, pool }),
    invitations: createInvitationService({ config, pool, logger, ...(mailer ? { mailer } : {}) }),
    admin: createAdminService({ pool }),
    platformSettings: createPlatformSettingsService({ config, pool }),
    secrets: createSecretsService({ config, pool, redis, logger }),
    agentSecrets: createAgentSecretsService({ pool, keyring }),
    providerSync: createProviderSyncService({ config, pool, keyring, logger }),
    providers: createProviderService({ pool, keyring, outbound }),
    integrations: createIntegrationService({ pool, keyring, outbound }),
    channels: createChannelService({ pool, keyring, outbound }),
  };
}

/**
 * Builds the Express app without listening. Middleware order matters and is documented in
 * docs/security.md: rate limiting runs before body parsing so a throttled client costs no parse.
 */
export function buildApp(deps: AppDependencies): Express {
  const { config, logger, pool } = deps;
  const services = buildServices(deps);
  const cache = deps.authCache;
  const { requires } = createAuthorizer(
    async (workspaceId, userId) => {
      const load = () => findRole(pool, workspaceId, userId);
      return (cache ? await cache.read(cache.roles, `${workspaceId}:${userId}`, load) : await load()) ?? null;
    },
    (agentId) => findAgentWorkspace(pool, agentId),
  );

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.api.trustProxyHops);
  app.set("query parser", "simple");
  // API responses are live state, never cached; computing an ETag hash per response buys nothing.
  app.set("etag", false);

  app.use(requestId());
  app.use(requestLogging(logger));
  app.use(securityHeaders(config));
  app.use(corsPolicy(config));
  app.use(startAuthCacheSync(cache));
  app.use(rateLimit({ config, redis: deps.redis, logger }));
  app.use(jsonBody(config));

  app.use(
    healthRoutes(
      createReadinessService({ pool, redis: deps.redis, migrationsDir: deps.migrationsDir }),
      requires,
    ),
  );
  app.use(authenticate({ config, pool, ...(cache ? { cache } : {}) }));
  app.use(authRoutes({ config, auth: services.auth, requires }));
  app.use(oauthRoutes({ config, oauth: services.oauth, requires }));
  app.use(workspaceRoutes({ workspaces: services.workspaces, requires }));
  app.use(apiKeyRoutes({ apiKeys: services.apiKeys, requires }));
  app.use(invitationRoutes({ invitations: services.invitations, requires }));
  app.use(auditRoutes({ pool, requires }));
  app.use(adminRoutes({ admin: services.admin, requires }));
  app.use(platformSettingsRoutes({ settings: services.platformSettings, requires }));
  app.use(providerRoutes({ providers: services.providers, requires }));
  app.use(integrationRoutes({ integrations: services.integrations, requires }));
  app.use(channelRoutes({ channels: services.channels, requires }));
  app.use(secretsRoutes({ secrets: services.secrets, requires }));
  app.use(agentSecretRoutes({ secrets: services.agentSecrets, requires }));
  app.use(providerSyncRoutes({ sync: services.providerSync, requires }));
  for (const router of deps.extraRoutes ?? []) app.use(router);

  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
