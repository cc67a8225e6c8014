import {
  AppError,
  forbidden,
  notFound,
  type Pool,
  type PoolClient,
  type Queryable,
  withTransaction,
} from "@nora/core";
import { lockMembers } from "./repo.js";
import { roleAtLeast, type WorkspaceRole } from "./roles.js";

/** PostgreSQL's deadlock_detected and serialization_failure: the change lost a race, nothing was written. */
const CONCURRENCY_CODES = new Set(["40P01", "40001"]);

/**
 * A transaction for a change that depends on who may make it. Should two such changes still collide in a
 * way PostgreSQL has to break, the loser answers a clean 409 instead of a 500.
 */
export async function inMembershipTransaction<T>(
  pool: Pool,
  work: (tx: PoolClient) => Promise<T>,
): Promise<T> {
  try {
    return await withTransaction(pool, work);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && CONCURRENCY_CODES.has(code)) {
      throw new AppError(
        409,
        "concurrent_change",
        "Another change to this workspace happened at the same time; try again",
      );
    }
    throw error;
  }
}

/**
 * Locks the workspace's member rows (in user id order, so concurrent changes queue instead of deadlocking)
 * and reads the caller's role under that lock: the role the change is judged by is the role at the moment
 * it is made, not the one the request was admitted with. A caller who is no longer a member sees the
 * workspace as unknown, as any non-member does.
 */
export async function lockMembershipOf(
  tx: Queryable,
  workspaceId: string,
  callerId: string,
  required: WorkspaceRole,
) {
  const members = await lockMembers(tx, workspaceId);
  const caller = members.find((m) => m.userId === callerId);
  if (!caller) throw notFound("Workspace not found");
  if (!roleAtLeast(caller.role, required)) throw forbidden(`This action needs the ${required} role`);
  return { members, callerRole: caller.role };
}
