import { type Config, Keyring, type Logger, type NoraQueues, type Pool, type Redis } from "@nora/core";
import { createAdminService } from "./admin/service.js";
import { createEnvOverridesService } from "./agents/env-overrides-service.js";
import { createProviderSyncService } from "./agents/provider-sync.js";
import { createAgentService } from "./agents/service.js";
import { createApiKeyService } from "./api-keys/service.js";
import { createAuditService } from "./audit/service.js";
import { createAuthenticationService } from "./auth/authentication.js";
import { createOAuthService } from "./auth/oauth/service.js";
import { createAuthService } from "./auth/service.js";
import { createChannelService } from "./channels/service.js";
import { createRuntimeCatalogService } from "./clusters/catalog.js";
import { createClusterService } from "./clusters/service.js";
import { createDeadLetterService } from "./deployments/dead-letter.js";
import { createQueueAccess } from "./deployments/queue-producer.js";
import { createDeploymentService } from "./deployments/service.js";
import { createEventService } from "./events/service.js";
import { createReadinessService } from "./health/service.js";
import { createIntegrationService } from "./integrations/service.js";
import { createMailer, type Mailer } from "./invitations/mailer.js";
import { createInvitationService } from "./invitations/service.js";
import { createKeyRotationService } from "./key-rotation/service.js";
import { createPlatformSettingsService } from "./platform-settings/service.js";
import { createProviderService } from "./providers/service.js";
import { createAgentChatService } from "./runtime-access/chat.js";
import { createAgentFilesService } from "./runtime-access/files.js";
import { createGatewaySocketService } from "./runtime-access/gateway-socket.js";
import { createStreamSlots } from "./runtime-access/stream-slots.js";
import { createRuntimeTarget } from "./runtime-access/target.js";
import { createTerminalService } from "./runtime-access/terminal.js";
import type { ReadThrough } from "./shared/read-through.js";
import { createWorkspaceService } from "./workspaces/service.js";

export type { CachedLookups, ReadThrough } from "./shared/read-through.js";

export interface DomainDependencies {
  config: Config;
  logger: Logger;
  pool: Pool;
  /** A "command" role connection (rate limits, OAuth flow state, key-rotation lock, readiness). */
  redis: Redis;
  /** Invitation delivery; defaults to SMTP when configured. */
  mailer?: Mailer;
  /** A cache in front of hot lookups (the API's auth cache); without it every read goes to PostgreSQL. */
  readThrough?: ReadThrough;
  /** Migrations the readiness check compares against (tests point it elsewhere). */
  migrationsDir?: string;
  /**
   * The queues' producers (the caller closes them). Without them the domain opens its own on a
   * "bullmq"-role connection when it first enqueues, and `close()` closes it.
   */
  queues?: NoraQueues;
}

/** Every domain service, built once per process: the API and both workers call this. */
export function createDomain(deps: DomainDependencies) {
  const { config, pool, redis, logger } = deps;
  const mailer = deps.mailer ?? createMailer(config);
  const keyring = Keyring.fromConfig(config);
  const readThrough: ReadThrough = deps.readThrough ?? ((_kind, _key, load) => load());
  // Operator-facing outbound calls refuse private destinations except those the operator allowlists.
  const outbound = { policy: { allowedCidrs: config.network.outboundAllowedCidrs } };
  const producer = createQueueAccess({ config, logger, ...(deps.queues ? { queues: deps.queues } : {}) });
  const events = createEventService({ config, pool, logger });
  const clusters = createClusterService({ config, pool, keyring, logger, producer });
  const runtimeTarget = createRuntimeTarget({ config, pool, keyring, logger, readThrough });
  const streamSlots = createStreamSlots({ config, redis, logger });
  return {
    readiness: createReadinessService({
      pool,
      redis,
      ...(deps.migrationsDir ? { migrationsDir: deps.migrationsDir } : {}),
    }),
    auth: createAuthService({ config, pool, redis, logger }),
    authentication: createAuthenticationService({ config, pool }),
    oauth: createOAuthService({ config, pool, redis, logger }),
    workspaces: createWorkspaceService({ pool, readThrough }),
    agents: createAgentService({ pool, config, readThrough }),
    deployments: createDeploymentService({ config, pool, redis, keyring, logger, producer }),
    events,
    deadLetter: createDeadLetterService({ pool, producer }),
    apiKeys: createApiKeyService({ config, pool }),
    invitations: createInvitationService({ config, pool, logger, ...(mailer ? { mailer } : {}) }),
    audit: createAuditService({ pool }),
    admin: createAdminService({ pool }),
    platformSettings: createPlatformSettingsService({ config, pool }),
    keyRotation: createKeyRotationService({ config, pool, redis, logger }),
    envOverrides: createEnvOverridesService({ pool, keyring }),
    providerSync: createProviderSyncService({ config, pool, keyring, logger }),
    agentFiles: createAgentFilesService({
      pool,
      target: runtimeTarget,
      uploadMaxBytes: config.api.agentFileUploadMaxBytes,
    }),
    /** Opens an agent's runtime, gateway or dashboard (address judged, credential added). */
    runtimeTarget,
    terminals: createTerminalService({ pool, target: runtimeTarget, logger }),
    /** OpenClaw gateways' WebSocket protocol on a caller's behalf (Nora's connect, its device). */
    gatewaySockets: createGatewaySocketService({ config, pool, target: runtimeTarget, logger }),
    /** Per-user caps on streams and terminals, shared by replicas. */
    streamSlots,
    /** Chat with an agent through its gateway, and the history it keeps. */
    agentChat: createAgentChatService({ pool, target: runtimeTarget, slots: streamSlots, logger }),
    providers: createProviderService({ pool, keyring, outbound }),
    integrations: createIntegrationService({ pool, keyring, outbound }),
    channels: createChannelService({ pool, keyring, outbound }),
    clusters,
    runtimeCatalog: createRuntimeCatalogService({ config, clusters }),
    /** Closes what the domain opened itself: its queue producer and the event subscriber. */
    async close(): Promise<void> {
      events.close();
      await producer.close();
    },
  };
}

export type Domain = ReturnType<typeof createDomain>;

export { createClusterCheckJob } from "./clusters/check-job.js";
export { registerFileCluster } from "./clusters/file-cluster.js";
export { createProvisioner, type Provisioner } from "./deployments/provisioner.js";
