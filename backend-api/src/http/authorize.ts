import type { Requirement } from "@nora/api-contract";
import { AppError, forbidden, notFound, unauthorized } from "@nora/core";
import { roleAtLeast, type WorkspaceRole } from "@nora/domain/workspaces/roles";
import type { Request, RequestHandler } from "express";
import { z } from "zod";

/**
 * What a route needs (`Requirement`, declared in its contract entry: @nora/api-contract). Every /api route carries one
 * (the route inventory test fails otherwise):
 * - `public`: anyone;
 * - `session`: a signed-in user (cookie), never an API key;
 * - `authenticated`: a signed-in user or an API key;
 * - `platformAdmin`: a signed-in platform admin;
 * - `workspace`: a member of the workspace in `:id` with at least `role`. API keys are accepted only
 *   when the route names a `scope` the key holds, the key belongs to that workspace and its creator
 *   still holds the role; `sessionOnly` routes refuse keys outright (keys never manage keys, members
 *   or the workspace itself);
 * - `agent`: the same rules, for the workspace that owns the agent in `:agentId`.
 */
export type { Requirement };

export type RoleLookup = (workspaceId: string, userId: string) => Promise<WorkspaceRole | null>;
/** The workspace that owns an agent, or null when there is no such agent. */
export type AgentWorkspaceLookup = (agentId: string) => Promise<string | null>;

export type RequirementMiddleware = RequestHandler & { requirement: Requirement };

const uuidParam = z.string().uuid();

/** Reads a requirement attached by `requires`; used by the route inventory test. */
export function requirementOf(handler: unknown): Requirement | undefined {
  return typeof handler === "function" ? (handler as Partial<RequirementMiddleware>).requirement : undefined;
}

export function createAuthorizer(findRole: RoleLookup, findAgentWorkspace: AgentWorkspaceLookup) {
  const keysRefused = () => new AppError(403, "session_required", "API keys cannot perform this action");

  async function check(req: Request, requirement: Requirement): Promise<void> {
    if (requirement.kind === "public") return;
    const auth = req.auth;
    if (!auth) throw unauthorized();
    if (requirement.kind === "authenticated") return;
    if (requirement.kind === "session") {
      if (auth.kind !== "session") throw keysRefused();
      return;
    }
    if (requirement.kind === "platformAdmin") {
      if (auth.kind !== "session") throw keysRefused();
      if (auth.user.role !== "admin") throw forbidden("Platform admins only");
      return;
    }

    // Workspace and agent routes: ids that are malformed, foreign or unknown all answer 404, so ids
    // cannot be probed.
    const workspaceId = await resolveWorkspace(req, requirement.kind);
    let role: WorkspaceRole | null;
    if (auth.kind === "api_key") {
      if (auth.workspaceId !== workspaceId)
        throw notFound(requirement.kind === "agent" ? "Agent not found" : "Workspace not found");
      if (requirement.sessionOnly || !requirement.scope) throw keysRefused();
      if (!auth.scopes.includes(requirement.scope)) {
        throw new AppError(403, "insufficient_scope", `This API key lacks the ${requirement.scope} scope`);
      }
      role = auth.creatorRole;
    } else {
      role = await findRole(workspaceId, auth.user.id);
      if (!role) throw notFound(requirement.kind === "agent" ? "Agent not found" : "Workspace not found");
    }
    if (!roleAtLeast(role, requirement.role)) {
      throw forbidden(`This action needs the ${requirement.role} role`);
    }
    req.workspaceAccess = { workspaceId, role };
  }

  async function resolveWorkspace(req: Request, kind: "workspace" | "agent"): Promise<string> {
    if (kind === "workspace") {
      const parsed = uuidParam.safeParse(req.params.id);
      if (!parsed.success) throw notFound("Workspace not found");
      return parsed.data;
    }
    const parsed = uuidParam.safeParse(req.params.agentId);
    const workspaceId = parsed.success ? await findAgentWorkspace(parsed.data) : null;
    if (!workspaceId) throw notFound("Agent not found");
    return workspaceId;
  }

  /** The middleware a route registers first, carrying its requirement for the inventory. */
  function requires(requirement: Requirement): RequirementMiddleware {
    const middleware: RequestHandler = (req, _res, next) => {
      check(req, requirement).then(() => next(), next);
    };
    return Object.assign(middleware, { requirement });
  }

  return { requires };
}

export type Requires = ReturnType<typeof createAuthorizer>["requires"];
