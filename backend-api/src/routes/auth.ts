import { API } from "@nora/api-contract";
import type { Config } from "@nora/core";
import type { AuthService } from "@nora/domain/auth/service";
import { Router } from "express";
import { sessionOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { contextOf } from "../http/request-context.js";
import { clearSessionCookie, setSessionCookie } from "../http/session-cookie.js";

const routes = API.auth;

export function authRoutes(deps: { config: Config; auth: AuthService; requires: Requires }): Router {
  const { config, auth, requires } = deps;
  const router = Router();

  mount(router, requires, routes.bootstrapStatus, async (_req, _res, _input, reply) => {
    reply(200, await auth.bootstrapStatus());
  });

  mount(router, requires, routes.signup, async (req, _res, { body }, reply) => {
    reply(202, await auth.signup(body, contextOf(req)));
  });

  mount(router, requires, routes.login, async (req, res, { body }, reply) => {
    const issued = await auth.login(body, contextOf(req));
    setSessionCookie(config, res, issued.token, issued.absoluteExpiresAt);
    reply(200, { user: issued.user });
  });

  mount(router, requires, routes.logout, async (req, res, _input, reply) => {
    const session = sessionOf(req);
    await auth.logout(session.user.id, session.sessionId, contextOf(req));
    clearSessionCookie(config, res);
    reply(204);
  });

  mount(router, requires, routes.logoutAll, async (req, res, _input, reply) => {
    const revoked = await auth.logoutAll(sessionOf(req).user.id, contextOf(req));
    clearSessionCookie(config, res);
    reply(200, { revoked });
  });

  mount(router, requires, routes.me, async (req, _res, _input, reply) => {
    const caller = req.auth;
    if (!caller) return;
    const user = await auth.me(caller.user.id);
    reply(200, {
      user,
      via: caller.kind,
      ...(caller.kind === "api_key"
        ? { apiKey: { id: caller.apiKeyId, workspaceId: caller.workspaceId, scopes: caller.scopes } }
        : {}),
    });
  });

  mount(router, requires, routes.verifyEmail, async (req, _res, { body }, reply) => {
    const session = sessionOf(req);
    await auth.verifyEmail(session.user.id, body.token, contextOf(req));
    reply(200, { user: await auth.me(session.user.id) });
  });

  mount(router, requires, routes.resendVerification, async (req, _res, _input, reply) => {
    const sent = await auth.resendVerification(sessionOf(req).user.id, contextOf(req));
    reply(202, { status: "sent", expiresAt: sent.expiresAt });
  });

  mount(router, requires, routes.requestPasswordReset, async (req, _res, { body }, reply) => {
    await auth.requestPasswordReset(body, contextOf(req));
    reply(202, { status: "ok" });
  });

  mount(router, requires, routes.resetPassword, async (req, _res, { body }, reply) => {
    await auth.resetPassword(body, contextOf(req));
    reply(204);
  });

  mount(router, requires, routes.changePassword, async (req, _res, { body }, reply) => {
    const session = sessionOf(req);
    await auth.changePassword(session.user.id, session.sessionId, body, contextOf(req));
    reply(204);
  });

  mount(router, requires, routes.sessions, async (req, _res, _input, reply) => {
    const session = sessionOf(req);
    reply(200, { sessions: await auth.listSessions(session.user.id, session.sessionId) });
  });

  mount(router, requires, routes.revokeSession, async (req, res, { params }, reply) => {
    const session = sessionOf(req);
    await auth.revokeOwnSession(session.user.id, params.sessionId, contextOf(req));
    if (params.sessionId === session.sessionId) clearSessionCookie(config, res);
    reply(204);
  });

  return router;
}
