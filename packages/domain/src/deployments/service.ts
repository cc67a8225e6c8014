import { randomBytes, randomUUID } from "node:crypto";
import type { RuntimeFamily } from "@nora/agent-runtime";
import type { CreateAgentInput, DeploymentAction } from "@nora/api-contract";
import {
  AppError,
  type Config,
  conflict,
  type Keyring,
  type Logger,
  notFound,
  type Pool,
  type PoolClient,
  type Redis,
  sealOrFail,
  withTransaction,
} from "@nora/core";
import { overrideNamesOf, writeOverrides } from "../agents/env-overrides-service.js";
import {
  type AgentRow,
  agentRecords,
  checkProviderIds,
  clusterOfDeploy,
  type RevisionRow,
} from "../agents/service.js";
import {
  checkResources,
  DEFAULT_DISK_GB,
  DEFAULT_VCPU,
  FAMILY_MEMORY_MB,
  resolveAgentBackend,
  roundVcpu,
  templateHashes,
} from "../agents/spec.js";
import { DESIRED_STATE, REQUESTED_STATUS, statusesLeadingTo } from "../agents/status.js";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { publishEvents } from "../events/channel.js";
import { type EventRecord, recordEvent } from "../events/service.js";
import { isUniqueViolation } from "../shared/sealed-resource.js";
import type { QueueAccess } from "./queue-producer.js";
import { type DeploymentRow, insertDeployment, listDeployments } from "./repo.js";

/** Who asks: image overrides are for signed-in platform admins only. */
export interface Caller {
  ctx: ActionContext;
  isPlatformAdmin: boolean;
}

export interface DeploymentServiceDeps {
  config: Config;
  pool: Pool;
  /** A "command" role connection: event notices. */
  redis: Redis;
  keyring: Keyring;
  logger: Logger;
  producer: QueueAccess;
}

/** What an accepted request answers (202): the agent as recorded and its queued deployment. */
export interface Accepted {
  agent: AgentRow;
  deployment: DeploymentRow;
}

const TOKEN_COLUMNS = { runtime: "runtime_token_sealed", gateway: "gateway_token_sealed" } as const;

const newToken = () => randomBytes(32).toString("base64url");

const requesterOf = (ctx: ActionContext) => ({
  requestedBy: ctx.actor.type === "system" ? null : (ctx.actor.userId ?? null),
  requestedByKey: ctx.actor.type === "api_key" ? ctx.actor.apiKeyId : null,
});

const userIdOf = (ctx: ActionContext) => (ctx.actor.type === "system" ? null : (ctx.actor.userId ?? null));

const imageOverrideRefused = () =>
  new AppError(403, "image_override_forbidden", "Only platform admins may choose an agent's image");

/** The lifecycle actions besides deploy: each one deployment row. */
export type SimpleAction = Extract<DeploymentAction, "start" | "stop" | "restart" | "delete">;
export type FleetAction = "restart" | "stop" | "redeploy";

export function createDeploymentService(deps: DeploymentServiceDeps) {
  const { config, pool, redis, keyring, logger, producer } = deps;

  const imageFor = (family: RuntimeFamily, override: string | null) =>
    override ?? config.provisioning.images[family];

  /** After commit: the live notice of the events, then the job. Neither failure undoes the request. */
  async function afterCommit(accepted: Accepted, events: EventRecord[]): Promise<Accepted> {
    if (!(await publishEvents(redis, config.redis.keyPrefix, events))) {
      logger.warn({ agentId: accepted.agent.id }, "could not publish agent events (is Redis reachable?)");
    }
    await producer.enqueueDeployment(accepted.deployment.id, accepted.agent.id);
    return accepted;
  }

  /**
   * Moves the agent to the status the action asks for, if the state machine allows it from where it
   * is (in the UPDATE itself); otherwise 409 naming the current status, and the refusal is logged.
   */
  async function transitionFor(tx: PoolClient, agent: AgentRow, action: DeploymentAction): Promise<void> {
    const to = REQUESTED_STATUS[action];
    if (await agentRecords.transition(tx, agent.id, to, statusesLeadingTo(to), DESIRED_STATE[action])) return;
    logger.warn({ agentId: agent.id, from: agent.status, to, action }, "illegal agent transition refused");
    throw new AppError(409, "illegal_transition", `The agent is ${agent.status}: it cannot ${action} now`, {
      status: agent.status,
    });
  }

  /** The deployment row, its event and audit entry, in the caller's transaction. */
  async function record(
    tx: PoolClient,
    agent: AgentRow,
    action: DeploymentAction,
    revision: RevisionRow | null,
    ctx: ActionContext,
    options: Record<string, unknown> = {},
    auditMetadata: Record<string, unknown> = {},
  ): Promise<{ accepted: Accepted; events: EventRecord[] }> {
    const deployment = await insertDeployment(tx, {
      agentId: agent.id,
      workspaceId: agent.workspaceId,
      revisionId: revision?.id ?? null,
      action,
      options,
      ...requesterOf(ctx),
    });
    const event = await recordEvent(tx, {
      workspaceId: agent.workspaceId,
      agentId: agent.id,
      deploymentId: deployment.id,
      type: "deployment.requested",
      severity: "info",
      message: revision ? `${action} requested (revision ${revision.number})` : `${action} requested`,
      metadata: { action, revision: revision?.number ?? null, ...options },
    });
    await recordAudit(tx, {
      ...auditFieldsOf(ctx),
      action: `agent.${action}_requested`,
      workspaceId: agent.workspaceId,
      target: { type: "agent", id: agent.id },
      metadata: {
        deploymentId: deployment.id,
        revision: revision?.number ?? null,
        ...options,
        ...auditMetadata,
      },
    });
    const current = (await agentRecords.find(tx, agent.id)) as AgentRow;
    return { accepted: { agent: current, deployment }, events: [event] };
  }

  async function lockedAgent(tx: PoolClient, agentId: string): Promise<AgentRow> {
    const agent = await agentRecords.find(tx, agentId, true);
    if (!agent) throw notFound("Agent not found");
    return agent;
  }

  const nameTaken = (error: unknown): never => {
    if (isUniqueViolation(error, "agents_workspace_name_idx")) {
      throw conflict("name_taken", "An agent with this name already exists in the workspace");
    }
    throw error;
  };

  async function run(work: (tx: PoolClient) => Promise<{ accepted: Accepted; events: EventRecord[] }>) {
    const { accepted, events } = await withTransaction(pool, work);
    return afterCommit(accepted, events);
  }

  /** A new revision from the agent's desired spec, validated as a deploy is. */
  async function revisionFromSpec(
    tx: PoolClient,
    agent: AgentRow,
    template: Record<string, string>,
    ctx: ActionContext,
  ): Promise<RevisionRow> {
    const backend = resolveAgentBackend(config, agent);
    checkResources(config, backend.family, agent);
    return agentRecords.insertRevision(tx, {
      agentId: agent.id,
      family: backend.family,
      target: backend.target,
      profile: backend.profile,
      image: imageFor(backend.family, agent.image),
      vcpu: agent.vcpu,
      memoryMb: agent.memoryMb,
      diskGb: agent.diskGb,
      providerIds: agent.providerIds,
      envNames: await overrideNamesOf(tx, agent.id),
      template,
      bootstrapHashes: templateHashes(template),
      sourceRevisionId: null,
      createdBy: userIdOf(ctx),
    });
  }

  async function currentTemplate(tx: PoolClient, agent: AgentRow): Promise<Record<string, string>> {
    if (!agent.currentRevisionId) return {};
    return (await agentRecords.findRevision(tx, agent.currentRevisionId))?.template ?? {};
  }

  async function simpleAction(
    tx: PoolClient,
    agentId: string,
    action: SimpleAction,
    ctx: ActionContext,
    options: Record<string, unknown> = {},
  ) {
    const agent = await lockedAgent(tx, agentId);
    await transitionFor(tx, agent, action);
    const revision = agent.currentRevisionId
      ? await agentRecords.findRevision(tx, agent.currentRevisionId)
      : undefined;
    return record(tx, agent, action, revision ?? null, ctx, options);
  }

  async function redeployIn(
    tx: PoolClient,
    agentId: string,
    template: Record<string, string> | undefined,
    ctx: ActionContext,
    overrideDrift = false,
  ) {
    const agent = await lockedAgent(tx, agentId);
    const revision = await revisionFromSpec(tx, agent, template ?? (await currentTemplate(tx, agent)), ctx);
    await transitionFor(tx, agent, "redeploy");
    await agentRecords.setCurrentRevision(tx, agent.id, revision.id);
    return record(tx, agent, "redeploy", revision, ctx, overrideDrift ? { overrideDrift: true } : {}, {
      newTemplate: template !== undefined,
    });
  }

  return {
    /** The agent's deployments, newest first, with the revision number each ran. */
    async list(agentId: string, query: { cursor?: string | undefined; limit?: number | undefined }) {
      const limit = query.limit ?? 50;
      const rows = await listDeployments(pool, agentId, query.cursor ?? null, limit + 1);
      const deployments = rows.slice(0, limit);
      const last = deployments[deployments.length - 1];
      return { deployments, ...(rows.length > limit && last ? { nextCursor: last.id } : {}) };
    },

    /**
     * Deploy: validates the request (catalog, image override, memory floor, maxima, quota, providers,
     * unique name), then writes agent, revision #1, sealed secrets, deployment, event and audit in one
     * transaction; after commit, publishes the event and enqueues the job (id = deployment id).
     */
    async deploy(workspaceId: string, input: CreateAgentInput, caller: Caller): Promise<Accepted> {
      const { ctx } = caller;
      if (input.image !== undefined && !caller.isPlatformAdmin) throw imageOverrideRefused();
      const backend = resolveAgentBackend(config, input);
      const resources = {
        vcpu: roundVcpu(input.vcpu ?? DEFAULT_VCPU),
        memoryMb: input.memoryMb ?? FAMILY_MEMORY_MB[backend.family].default,
        diskGb: input.diskGb ?? DEFAULT_DISK_GB,
      };
      checkResources(config, backend.family, resources);
      const template = input.template ?? {};
      const agentId = randomUUID();
      const seal = (column: string) =>
        sealOrFail(keyring, newToken(), { table: "agents", column, rowId: agentId });
      try {
        return await run(async (tx) => {
          const workspace = await agentRecords.lockWorkspaceAgents(tx, workspaceId);
          if (!workspace) throw notFound("Workspace not found");
          const quota = workspace.quota ?? config.provisioning.agentQuotaPerWorkspace;
          const live = await agentRecords.countLiveAgents(tx, workspaceId);
          if (live >= quota) {
            throw new AppError(
              409,
              "agent_quota_exceeded",
              `This workspace may have ${quota} agents and has ${live}`,
              { quota },
            );
          }
          await checkProviderIds(tx, workspaceId, input.providerIds);
          const cluster = await clusterOfDeploy(tx, backend.target, input.clusterId);
          await agentRecords.insert(tx, {
            id: agentId,
            workspaceId,
            name: input.name,
            family: backend.family,
            target: backend.target,
            profile: backend.profile,
            ...resources,
            image: input.image ?? null,
            providerIds: input.providerIds ?? null,
            runtimeTokenSealed: seal(TOKEN_COLUMNS.runtime),
            gatewayTokenSealed: seal(TOKEN_COLUMNS.gateway),
            createdBy: userIdOf(ctx),
            clusterId: cluster,
          });
          const envNames = await writeOverrides(tx, keyring, agentId, input.secrets ?? {}, userIdOf(ctx));
          const revision = await agentRecords.insertRevision(tx, {
            agentId,
            family: backend.family,
            target: backend.target,
            profile: backend.profile,
            image: imageFor(backend.family, input.image ?? null),
            ...resources,
            providerIds: input.providerIds ?? null,
            envNames,
            template,
            bootstrapHashes: templateHashes(template),
            sourceRevisionId: null,
            createdBy: userIdOf(ctx),
          });
          await agentRecords.setCurrentRevision(tx, agentId, revision.id);
          const agent = (await agentRecords.find(tx, agentId)) as AgentRow;
          return record(
            tx,
            agent,
            "deploy",
            revision,
            ctx,
            {},
            {
              name: input.name,
              backend: backend.id,
              ...resources,
              imageOverride: input.image ?? null,
              providerIds: input.providerIds ?? null,
              secretNames: envNames,
              templateFiles: Object.keys(template).sort(),
            },
          );
        });
      } catch (error) {
        return nameTaken(error);
      }
    },

    /** start, stop, restart, delete: a deployment row with the action, the agent moved if allowed. */
    act(agentId: string, action: SimpleAction, ctx: ActionContext, options: Record<string, unknown> = {}) {
      return run((tx) => simpleAction(tx, agentId, action, ctx, options));
    },

    /** A new revision from the desired spec (the current template unless a new one is given). */
    redeploy(
      agentId: string,
      template: Record<string, string> | undefined,
      ctx: ActionContext,
      options: { overrideDrift?: boolean } = {},
    ) {
      return run((tx) => redeployIn(tx, agentId, template, ctx, options.overrideDrift === true));
    },

    /** A deployment running an earlier revision; the agent's desired spec follows it. */
    rollback(agentId: string, revisionNumber: number, ctx: ActionContext) {
      return run(async (tx) => {
        const agent = await lockedAgent(tx, agentId);
        const revision = await agentRecords.findRevisionByNumber(tx, agentId, revisionNumber);
        if (!revision) throw notFound("Revision not found");
        const backend = resolveAgentBackend(config, revision);
        checkResources(config, backend.family, revision);
        await transitionFor(tx, agent, "rollback");
        await agentRecords.updateDesiredSpec(tx, agentId, {
          profile: revision.profile,
          vcpu: revision.vcpu,
          memoryMb: revision.memoryMb,
          diskGb: revision.diskGb,
          image: revision.image === config.provisioning.images[backend.family] ? null : revision.image,
          providerIds: revision.providerIds,
        });
        await agentRecords.setCurrentRevision(tx, agentId, revision.id);
        return record(tx, agent, "rollback", revision, ctx);
      });
    },

    /** One deployment and one job per agent; unknown or refused ids are reported per id. */
    async fleet(action: FleetAction, agentIds: readonly string[], ctx: ActionContext) {
      const results: Array<
        | { agentId: string; ok: true; deployment: DeploymentRow }
        | {
            agentId: string;
            ok: false;
            error: string;
            message: string;
          }
      > = [];
      for (const agentId of agentIds) {
        try {
          const accepted =
            action === "redeploy"
              ? await run((tx) => redeployIn(tx, agentId, undefined, ctx))
              : await run((tx) => simpleAction(tx, agentId, action, ctx, { fleet: true }));
          results.push({ agentId, ok: true, deployment: accepted.deployment });
        } catch (error) {
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          results.push({ agentId, ok: false, error: error.code, message: error.message });
        }
      }
      return { results };
    },
  };
}

export type DeploymentService = ReturnType<typeof createDeploymentService>;
