import { AppError, unauthorized } from "@nora/core";
import type { ApiKeyScope } from "@nora/domain/api-keys/scopes";
import type { WorkspaceRole } from "@nora/domain/workspaces/roles";
import type { Request } from "express";
import { contextOf } from "./request-context.js";

export interface AuthenticatedUser {
  id: string;
  email: string;
  role: "user" | "admin";
}

export type AuthContext =
  | { kind: "session"; user: AuthenticatedUser; sessionId: string }
  | {
      kind: "api_key";
      /** The key's creator: a key acts for its creator, within its scopes, in its one workspace. */
      user: AuthenticatedUser;
      apiKeyId: string;
      workspaceId: string;
      scopes: readonly ApiKeyScope[];
      /** The creator's current role in the key's workspace. */
      creatorRole: WorkspaceRole;
    };

export interface WorkspaceAccess {
  workspaceId: string;
  /** The caller's effective role (for a key: its creator's role). */
  role: WorkspaceRole;
}

declare module "http" {
  interface IncomingMessage {
    auth?: AuthContext;
    workspaceAccess?: WorkspaceAccess;
  }
}

/** The caller's identity; only called behind a requirement that guarantees one. */
export function authOf(req: Request): AuthContext {
  if (!req.auth) throw unauthorized();
  return req.auth;
}

export function sessionOf(req: Request): Extract<AuthContext, { kind: "session" }> {
  const auth = authOf(req);
  if (auth.kind !== "session")
    throw new AppError(403, "session_required", "This action needs a signed-in user");
  return auth;
}

export function workspaceOf(req: Request): WorkspaceAccess {
  if (!req.workspaceAccess) throw new Error("route has no workspace requirement");
  return req.workspaceAccess;
}

/** The audit actor for an authenticated caller. */
export function actorOfAuth(auth: AuthContext) {
  return auth.kind === "session"
    ? ({ type: "user", userId: auth.user.id } as const)
    : ({ type: "api_key", apiKeyId: auth.apiKeyId, userId: auth.user.id } as const);
}

/** The audit actor for the caller. */
export function actorOf(req: Request) {
  return actorOfAuth(authOf(req));
}

/** The context an audited service call takes: where the request came from and who made it. */
export function actionContextOf(req: Request) {
  return { ...contextOf(req), actor: actorOf(req) };
}
