import type { Config, Logger, NoraQueues, Pool, Redis } from "@nora/core";
import { createDomain, type Domain, type ReadThrough } from "@nora/domain";
import type { Mailer } from "@nora/domain/invitations/mailer";
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
import { adminRoutes } from "./routes/admin.js";
import { adminClusterRoutes } from "./routes/admin-clusters.js";
import { adminQueueRoutes } from "./routes/admin-queues.js";
import { agentChatRoutes } from "./routes/agent-chat.js";
import { envOverrideRoutes } from "./routes/agent-env-overrides.js";
import { agentFileRoutes, isAgentFileUpload } from "./routes/agent-files.js";
import { agentGatewayRoutes, isAgentGatewayRequest } from "./routes/agent-gateway.js";
import { agentRoutes } from "./routes/agents.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { catalogRoutes } from "./routes/catalog.js";
import { channelRoutes } from "./routes/channels.js";
import { eventRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { integrationRoutes } from "./routes/integrations.js";
import { invitationRoutes } from "./routes/invitations.js";
import { keyRotationRoutes } from "./routes/key-rotation.js";
import { oauthRoutes } from "./routes/oauth.js";
import { platformSettingsRoutes } from "./routes/platform-settings.js";
import { providerSyncRoutes } from "./routes/provider-sync.js";
import { providerRoutes } from "./routes/providers.js";
import type { RouteContext, RouteModule } from "./routes/route-module.js";
import { workspaceRoutes } from "./routes/workspaces.js";

export interface AppDependencies {
  /** The queues' producers for the domain (tests inject them); see DomainDependencies.queues. */
  queues?: NoraQueues;
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
  /** The process's domain, when its caller already built it (server.ts, for the bootstrap admin). */
  domain?: Domain;
}

/** The auth cache as the domain's read-through: one helper for every cached lookup. */
function readThroughOf(cache: AuthCache | undefined): ReadThrough | undefined {
  if (!cache) return undefined;
  return (kind, key, load) => cache.read(cache.lookups[kind], key, load);
}

/**
 * Every route, in mounting order. Health probes come before authentication (they must answer even
 * when a caller's credentials are bad); everything after `authenticate` sees the caller.
 */
function routeModules(cache: AuthCache | undefined): RouteModule[] {
  return [
    ({ domain, requires }) => healthRoutes(domain.readiness, requires),
    ({ config, domain }) =>
      authenticate({ config, authentication: domain.authentication, ...(cache ? { cache } : {}) }),
    // The gateway proxy first: the hottest routes (every asset and call of an agent's UI or API), and
    // their paths (`/api/agents/:agentId/gateway|dashboard/...`) are no other route's. Express tries
    // each route in order, so the routers in front of it would cost every proxied request a walk.
    ({ config, domain, requires }) => agentGatewayRoutes({ config, target: domain.runtimeTarget, requires }),
    ({ config, domain, requires }) => authRoutes({ config, auth: domain.auth, requires }),
    ({ config, domain, requires }) => oauthRoutes({ config, oauth: domain.oauth, requires }),
    ({ domain, requires }) => workspaceRoutes({ workspaces: domain.workspaces, requires }),
    ({ domain, requires }) => apiKeyRoutes({ apiKeys: domain.apiKeys, requires }),
    ({ domain, requires }) => invitationRoutes({ invitations: domain.invitations, requires }),
    ({ domain, requires }) => auditRoutes({ audit: domain.audit, requires }),
    ({ domain, requires }) => adminRoutes({ admin: domain.admin, requires }),
    ({ domain, requires }) => platformSettingsRoutes({ settings: domain.platformSettings, requires }),
    ({ domain, requires }) => providerRoutes({ providers: domain.providers, requires }),
    ({ domain, requires }) => integrationRoutes({ integrations: domain.integrations, requires }),
    ({ domain, requires }) => channelRoutes({ channels: domain.channels, requires }),
    ({ domain, requires }) => keyRotationRoutes({ rotation: domain.keyRotation, requires }),
    ({ domain, requires }) => envOverrideRoutes({ overrides: domain.envOverrides, requires }),
    ({ domain, requires }) => providerSyncRoutes({ sync: domain.providerSync, requires }),
    ({ domain, requires }) => agentFileRoutes({ files: domain.agentFiles, requires }),
    ({ domain, requires }) => agentChatRoutes({ chat: domain.agentChat, requires }),
    ({ domain, requires }) =>
      agentRoutes({ agents: domain.agents, deployments: domain.deployments, requires }),
    ({ domain, requires }) =>
      eventRoutes({ events: domain.events, streamSlots: domain.streamSlots, requires }),
    ({ domain, requires }) =>
      adminQueueRoutes({ deadLetter: domain.deadLetter, deployments: domain.deployments, requires }),
    ({ domain, requires }) => adminClusterRoutes({ clusters: domain.clusters, requires }),
    ({ domain, requires }) => catalogRoutes({ catalog: domain.runtimeCatalog, requires }),
  ];
}

/**
 * Builds the Express app without listening. Middleware order matters and is documented in
 * docs/security.md: rate limiting runs before body parsing so a throttled client costs no parse.
 */
/** The domain as the API builds it: its lookups read through the auth cache. */
export function createApiDomain(deps: Omit<AppDependencies, "extraRoutes" | "domain">): Domain {
  const readThrough = readThroughOf(deps.authCache);
  return createDomain({
    config: deps.config,
    logger: deps.logger,
    pool: deps.pool,
    redis: deps.redis,
    ...(deps.mailer ? { mailer: deps.mailer } : {}),
    ...(readThrough ? { readThrough } : {}),
    ...(deps.migrationsDir ? { migrationsDir: deps.migrationsDir } : {}),
    ...(deps.queues ? { queues: deps.queues } : {}),
  });
}

export function buildApp(deps: AppDependencies): Express {
  const { config, logger } = deps;
  const cache = deps.authCache;
  const domain = deps.domain ?? createApiDomain(deps);
  const { requires } = createAuthorizer(
    (workspaceId, userId) => domain.workspaces.roleOf(workspaceId, userId),
    (agentId) => domain.agents.workspaceOf(agentId),
  );
  const ctx: RouteContext = { config, domain, requires };

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
  app.use(jsonBody(config, { raw: (req) => isAgentFileUpload(req) || isAgentGatewayRequest(req) }));

  for (const mount of routeModules(cache)) app.use(mount(ctx));
  for (const router of deps.extraRoutes ?? []) app.use(router);

  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
