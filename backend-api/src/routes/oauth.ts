import { API } from "@nora/api-contract";
import { AppError, type Config, notFound } from "@nora/core";
import { OAuthFlowError } from "@nora/domain/auth/oauth/providers/types";
import type { OAuthService } from "@nora/domain/auth/oauth/service";
import { isBinding, newBinding, STATE_TTL_SECONDS } from "@nora/domain/auth/oauth/state-store";
import { parse as parseCookies } from "cookie";
import { type CookieOptions, type Request, type Response, Router } from "express";
import { sessionOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { contextOf } from "../http/request-context.js";
import { setSessionCookie } from "../http/session-cookie.js";

/**
 * The browser binding of a pending sign-in: HttpOnly, SameSite=Lax (sent on the provider's top-level
 * redirect back to us), Secure with the `__Host-` prefix unless NORA_INSECURE_COOKIES, and no longer
 * lived than the state it guards.
 */
/** Where the dashboard shows the account's sign-in methods; link outcomes land there. */
const SETTINGS_PATH = "/app/settings/account";

function flowCookieName(config: Config): string {
  return config.identity.secureCookies ? "__Host-nora_oauth" : "nora_oauth";
}

function flowCookieOptions(config: Config): CookieOptions {
  return { httpOnly: true, secure: config.identity.secureCookies, sameSite: "lax", path: "/" };
}

function readFlowCookie(config: Config, req: Request): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookies(header)[flowCookieName(config)] : undefined;
}

export function oauthRoutes(deps: { config: Config; oauth: OAuthService; requires: Requires }): Router {
  const { config, oauth, requires } = deps;
  const router = Router();
  const origin = new URL(config.api.publicUrl).origin;

  /**
   * Sign-in failures land on the login page with a code, link failures on the account settings page;
   * never JSON, never provider details.
   */
  function toLogin(req: Request, res: Response, error: unknown, provider?: string) {
    const code = error instanceof OAuthFlowError ? error.code : "oauth_failed";
    if (!(error instanceof OAuthFlowError)) {
      req.log.error({ err: error, requestId: req.id }, "oauth sign-in failed");
    } else {
      const cause = error.cause instanceof Error ? error.cause : undefined;
      req.log.warn(
        {
          code,
          reason: error.message,
          ...(cause ? { cause: { name: cause.name, message: cause.message } } : {}),
          requestId: req.id,
        },
        "oauth sign-in refused",
      );
    }
    if (error instanceof OAuthFlowError && error.flow === "link") {
      res.redirect(302, `${origin}${SETTINGS_PATH}?error=${code}`);
      return;
    }
    // The login page tells the person to sign in with their password and link `provider` in settings.
    const extra = code === "oauth_link_required" && provider ? `&provider=${provider}` : "";
    res.redirect(302, `${origin}/login?error=${code}${extra}`);
  }

  mount(router, requires, API.oauth.start, async (req, res, { params }) => {
    if (!oauth.isEnabled(params.provider)) throw notFound("Unknown or disabled sign-in provider");
    // One binding per browser, reused while it lives, so two tabs signing in at once both work.
    const existing = readFlowCookie(config, req);
    const binding = isBinding(existing) ? existing : newBinding();
    let url: URL;
    try {
      url = await oauth.start(params.provider, binding);
    } catch (error) {
      toLogin(req, res, error);
      return;
    }
    res.cookie(flowCookieName(config), binding, {
      ...flowCookieOptions(config),
      maxAge: STATE_TTL_SECONDS * 1000,
    });
    res.redirect(302, url.href);
  });

  mount(router, requires, API.oauth.callback, async (req, res, { params }) => {
    if (!oauth.isEnabled(params.provider)) throw notFound("Unknown or disabled sign-in provider");
    // The flow cookie is left to expire: it may bind another tab's sign-in, and alone it is worthless.
    const binding = readFlowCookie(config, req);
    const query = req.originalUrl.includes("?")
      ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1)
      : "";
    const caller = req.auth?.kind === "session" ? req.auth : undefined;
    const session = caller ? { userId: caller.user.id, sessionId: caller.sessionId } : undefined;
    try {
      const done = await oauth.complete(params.provider, query, binding, contextOf(req), session);
      if (done.kind === "linked") {
        res.redirect(302, `${origin}${SETTINGS_PATH}?linked=${done.provider}`);
        return;
      }
      setSessionCookie(config, res, done.issued.token, done.issued.absoluteExpiresAt);
      res.redirect(302, `${origin}/app`);
    } catch (error) {
      toLogin(req, res, error, params.provider);
    }
  });

  // Linking from account settings: started by a signed-in session (POST, so the CSRF origin check
  // applies), completed through the same callback, by the same browser and the same session.
  mount(router, requires, API.oauth.link, async (req, res, { params }, reply) => {
    if (!oauth.isEnabled(params.provider)) throw notFound("Unknown or disabled sign-in provider");
    const session = sessionOf(req);
    const existing = readFlowCookie(config, req);
    const binding = isBinding(existing) ? existing : newBinding();
    let url: URL;
    try {
      url = await oauth.start(params.provider, binding, {
        userId: session.user.id,
        sessionId: session.sessionId,
      });
    } catch (error) {
      req.log.warn({ err: error, requestId: req.id }, "oauth link could not start");
      throw new AppError(502, "oauth_provider_error", "The sign-in provider could not be reached");
    }
    res.cookie(flowCookieName(config), binding, {
      ...flowCookieOptions(config),
      maxAge: STATE_TTL_SECONDS * 1000,
    });
    reply(200, { authorizationUrl: url.href });
  });

  mount(router, requires, API.oauth.identities, async (req, _res, _input, reply) => {
    reply(200, await oauth.listIdentities(sessionOf(req).user.id));
  });

  mount(router, requires, API.oauth.unlink, async (req, _res, { params }, reply) => {
    await oauth.unlink(sessionOf(req).user.id, params.id, contextOf(req));
    reply(204);
  });

  return router;
}
