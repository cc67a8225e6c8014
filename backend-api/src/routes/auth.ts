import type { Config } from "@nora/core";
import {
  changePasswordBody,
  loginBody,
  sessionIdParams,
  signupBody,
  verifyEmailBody,
} from "@nora/domain/auth/schema";
import type { AuthService } from "@nora/domain/auth/service";
import { Router } from "express";
import { sessionOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { clearSessionCookie, setSessionCookie } from "../http/session-cookie.js";
import { validated } from "../http/validate.js";

export function authRoutes(deps: { config: Config; auth: AuthService; requires: Requires }): Router {
  const { config, auth, requires } = deps;
  const router = Router();
  const publicRoute = requires({ kind: "public" });
  const sessionRoute = requires({ kind: "session" });

  router.get("/api/auth/bootstrap-status", publicRoute, async (_req, res) => {
    res.json(await auth.bootstrapStatus());
  });

  router.post(
    "/api/auth/signup",
    publicRoute,
    validated({ body: signupBody }, async (req, res, { body }) => {
      res.status(202).json(await auth.signup(body, contextOf(req)));
    }),
  );

  router.post(
    "/api/auth/login",
    publicRoute,
    validated({ body: loginBody }, async (req, res, { body }) => {
      const issued = await auth.login(body, contextOf(req));
      setSessionCookie(config, res, issued.token, issued.absoluteExpiresAt);
      res.json({ user: issued.user });
    }),
  );

  router.post("/api/auth/logout", sessionRoute, async (req, res) => {
    const session = sessionOf(req);
    await auth.logout(session.user.id, session.sessionId, contextOf(req));
    clearSessionCookie(config, res);
    res.status(204).end();
  });

  router.post("/api/auth/logout-all", sessionRoute, async (req, res) => {
    const revoked = await auth.logoutAll(sessionOf(req).user.id, contextOf(req));
    clearSessionCookie(config, res);
    res.json({ revoked });
  });

  router.get("/api/auth/me", requires({ kind: "authenticated" }), async (req, res) => {
    const caller = req.auth;
    if (!caller) return;
    const user = await auth.me(caller.user.id);
    res.json({
      user,
      via: caller.kind,
      ...(caller.kind === "api_key"
        ? { apiKey: { id: caller.apiKeyId, workspaceId: caller.workspaceId, scopes: caller.scopes } }
        : {}),
    });
  });

  router.post(
    "/api/auth/verify-email",
    sessionRoute,
    validated({ body: verifyEmailBody }, async (req, res, { body }) => {
      const session = sessionOf(req);
      await auth.verifyEmail(session.user.id, body.token, contextOf(req));
      res.json({ user: await auth.me(session.user.id) });
    }),
  );

  router.post("/api/auth/verify-email/resend", sessionRoute, async (req, res) => {
    const sent = await auth.resendVerification(sessionOf(req).user.id, contextOf(req));
    res.status(202).json({ status: "sent", expiresAt: sent.expiresAt });
  });

  router.patch(
    "/api/auth/password",
    sessionRoute,
    validated({ body: changePasswordBody }, async (req, res, { body }) => {
      const session = sessionOf(req);
      await auth.changePassword(session.user.id, session.sessionId, body, contextOf(req));
      res.status(204).end();
    }),
  );

  router.get("/api/auth/sessions", sessionRoute, async (req, res) => {
    const session = sessionOf(req);
    res.json({ sessions: await auth.listSessions(session.user.id, session.sessionId) });
  });

  router.delete(
    "/api/auth/sessions/:sessionId",
    sessionRoute,
    validated({ params: sessionIdParams }, async (req, res, { params }) => {
      const session = sessionOf(req);
      await auth.revokeOwnSession(session.user.id, params.sessionId, contextOf(req));
      if (params.sessionId === session.sessionId) clearSessionCookie(config, res);
      res.status(204).end();
    }),
  );

  return router;
}
