import type { AdminAgentsQuery } from "@nora/api-contract";
import type { Queryable } from "@nora/core";
import { listFleetAgents } from "./repo.js";

const FLEET_PAGE = 50;

/**
 * The fleet, for platform admins: every agent across workspaces with its workspace's name, a page at
 * a time (one more row is asked to know whether more follow).
 */
export async function listFleet(db: Queryable, query: AdminAgentsQuery) {
  const limit = query.limit ?? FLEET_PAGE;
  const rows = await listFleetAgents(db, {
    workspaceId: query.workspaceId,
    status: query.status,
    family: query.family,
    target: query.target === "k3s" ? "k8s" : query.target,
    q: query.q,
    afterId: query.cursor,
    limit: limit + 1,
  });
  const agents = rows.slice(0, limit);
  const last = agents[agents.length - 1];
  return { agents, ...(rows.length > limit && last ? { nextCursor: last.id } : {}) };
}
