import type { ListAgentsQuery, UpdateAgentInput } from "@nora/api-contract";
import {
  AppError,
  badRequest,
  type Config,
  conflict,
  notFound,
  type Pool,
  type Queryable,
  withTransaction,
} from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { clusterForDeploy } from "../clusters/service.js";
import { providerRowsOf } from "../providers/service.js";
import type { ReadThrough } from "../shared/read-through.js";
import { isUniqueViolation } from "../shared/sealed-resource.js";
import {
  type AgentRow,
  agentInWorkspace,
  countLiveAgents,
  type DesiredSpecChange,
  findAgent,
  findAgentWorkspace,
  insertAgent,
  listAgents,
  lockWorkspaceAgents,
  setCurrentRevision,
  transitionAgent,
  updateDesiredSpec,
} from "./repo.js";
import { findRevision, findRevisionByNumber, insertRevision, listRevisions } from "./revisions-repo.js";
import { checkResources, resolveAgentBackend, roundVcpu } from "./spec.js";

const DEFAULT_PAGE = 50;

/** A page of `limit` rows from a query asked for `limit + 1`: the cursor is the last row's key. */
function paged<T>(rows: T[], limit: number, keyOf: (row: T) => string) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, ...(rows.length > limit && last ? { nextCursor: keyOf(last) } : {}) };
}

/** Agents as desired state: reads, the desired-spec update, and what authorization asks. */
export function createAgentService(deps: { pool: Pool; config: Config; readThrough?: ReadThrough }) {
  const { pool, config } = deps;
  const readThrough: ReadThrough = deps.readThrough ?? ((_kind, _key, load) => load());

  async function mustFind(agentId: string): Promise<AgentRow> {
    const agent = await findAgent(pool, agentId);
    if (!agent) throw notFound("Agent not found");
    return agent;
  }

  return {
    /**
     * The workspace an agent belongs to, or null for an unknown agent (authorization looks this up on
     * every agent route). Read through the cache; an unknown agent is never cached.
     */
    workspaceOf: async (agentId: string) =>
      (await readThrough(
        "agentWorkspaces",
        agentId,
        async () => (await findAgentWorkspace(pool, agentId)) ?? undefined,
      )) ?? null,

    async list(workspaceId: string, query: ListAgentsQuery) {
      const limit = query.limit ?? DEFAULT_PAGE;
      const rows = await listAgents(pool, workspaceId, {
        status: query.status,
        family: query.family,
        target: query.target === "k3s" ? "k8s" : query.target,
        q: query.q,
        afterId: query.cursor,
        limit: limit + 1,
      });
      const { items, nextCursor } = paged(rows, limit, (a) => a.id);
      return { agents: items, ...(nextCursor ? { nextCursor } : {}) };
    },

    get: mustFind,

    async revisions(agentId: string, query: { cursor?: number | undefined; limit?: number | undefined }) {
      const limit = query.limit ?? DEFAULT_PAGE;
      const rows = await listRevisions(pool, agentId, query.cursor ?? null, limit + 1);
      const { items, nextCursor } = paged(rows, limit, (r) => String(r.number));
      return { revisions: items, ...(nextCursor ? { nextCursor } : {}) };
    },

    /**
     * Changes the desired spec. The name applies at once; the rest is recorded and applies on the
     * next redeploy (the answer lists which). Checked as a deploy is: catalog, floor, maxima, image.
     */
    async update(
      agentId: string,
      input: UpdateAgentInput,
      caller: { ctx: ActionContext; isPlatformAdmin: boolean },
    ) {
      if (input.image !== undefined && !caller.isPlatformAdmin) {
        throw new AppError(
          403,
          "image_override_forbidden",
          "Only platform admins may choose an agent's image",
        );
      }
      try {
        return await withTransaction(pool, async (tx) => {
          const current = await findAgent(tx, agentId, true);
          if (!current) throw notFound("Agent not found");
          const next = { ...current, ...definedOf(input) };
          if (input.vcpu !== undefined) next.vcpu = roundVcpu(input.vcpu);
          const backend = resolveAgentBackend(config, next);
          checkResources(config, backend.family, next);
          const change: DesiredSpecChange = definedOf({
            ...input,
            ...(input.vcpu !== undefined ? { vcpu: next.vcpu } : {}),
          });
          await checkProviderIds(tx, current.workspaceId, input.providerIds);
          await updateDesiredSpec(tx, agentId, change);
          await recordAudit(tx, {
            ...auditFieldsOf(caller.ctx),
            action: "agent.updated",
            workspaceId: current.workspaceId,
            target: { type: "agent", id: agentId },
            metadata: { fields: Object.keys(change).sort() },
          });
          const agent = (await findAgent(tx, agentId)) as AgentRow;
          return {
            agent,
            appliesOnRedeploy: Object.keys(change)
              .filter((k) => k !== "name")
              .sort(),
          };
        });
      } catch (error) {
        if (isUniqueViolation(error, "agents_workspace_name_idx")) {
          throw conflict("name_taken", "An agent with this name already exists in the workspace");
        }
        throw error;
      }
    },
  };
}

/** The fields of an update that were given (undefined means "keep"). */
function definedOf<T extends object>(input: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** 400 unless every id is a provider of the workspace. */
export async function checkProviderIds(
  db: Queryable,
  workspaceId: string,
  ids: readonly string[] | null | undefined,
): Promise<void> {
  if (!ids || ids.length === 0) return;
  const known = new Set((await providerRowsOf(db, workspaceId)).map((p) => p.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw badRequest("unknown_provider", "Some providers are not providers of this workspace", { unknown });
  }
}

/**
 * The cluster a new agent records: a k8s agent needs a usable cluster (the request's, else the
 * default; 400 otherwise); other targets take none.
 */
export async function clusterOfDeploy(
  db: Queryable,
  target: string,
  clusterId: string | undefined,
): Promise<string | null> {
  if (target !== "k8s") {
    if (clusterId !== undefined) {
      throw badRequest("cluster_not_applicable", 'clusterId applies to deploy target "k8s" only', { target });
    }
    return null;
  }
  return (await clusterForDeploy(db, clusterId)).id;
}

/** Whether the agent belongs to the workspace; runs in the caller's transaction. */
export const agentBelongsTo = (db: Queryable, workspaceId: string, agentId: string) =>
  agentInWorkspace(db, workspaceId, agentId);

/**
 * The agent records other domains write in their own transaction (deployments: deploy, lifecycle
 * actions, rollback; the provisioner). Each takes a `Queryable` first.
 */
export const agentRecords = {
  find: findAgent,
  insert: insertAgent,
  lockWorkspaceAgents,
  countLiveAgents,
  setCurrentRevision,
  transition: transitionAgent,
  updateDesiredSpec,
  insertRevision,
  findRevision,
  findRevisionByNumber,
};
export type { AgentRow } from "./repo.js";
export type { RevisionRow } from "./revisions-repo.js";

/** For the provisioner: the agent's desired state (no tokens), in the caller's transaction if given. */
export const agentById = (db: Queryable, agentId: string) => findAgent(db, agentId);
/** For the provisioner: one revision (template content included, to deliver it). */
export const revisionById = (db: Queryable, revisionId: string) => findRevision(db, revisionId);

export type AgentService = ReturnType<typeof createAgentService>;
