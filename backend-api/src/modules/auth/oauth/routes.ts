import { type Config, notFound } from "@nora/core";
import { parse as parseCookies } from "cookie";
import { type CookieOptions, type Request, type Response, Router } from "express";
import type { Requires } from "../../../http/authorize.js";
import { contextOf } from "../../../http/request-context.js";
import { parseRequest } from "../../../http/validate.js";
import { setSessionCookie } from "../session-token.js";
import { OAuthFlowError } from "./providers/types.js";
import { providerParams } from "./schema.js";
import type { OAuthService } from "./service.js";
import { isBinding, newBinding, STATE_TTL_SECONDS } from "./state-store.js";

/**
 * The browser binding of a pending sign-in: HttpOnly, SameSite=Lax (sent on the provider's top-level
 * redirect back to us), Secure with the `__Host-` prefix unless NORA_INSECURE_COOKIES, and no longer
 * lived than the state it guards.
 */
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
  const publicRoute = requires({ kind: "public" });
  const origin = new URL(config.api.publicUrl).origin;

  /** Sign-in failures land on the login page with a code; never JSON, never provider details. */
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
    // The login page tells the person to sign in with their password and link `provider` in settings.
    const extra = code === "oauth_link_required" && provider ? `&provider=${provider}` : "";
    res.redirect(302, `${origin}/login?error=${code}${extra}`);
  }

  router.get("/api/auth/oauth/:provider/start", publicRoute, async (req, res) => {
    const { params } = parseRequest(req, { params: providerParams });
    if (!oauth.isEnabled(params.provider)) throw notFound("Unknown or disabled sign-in provider");
    res.set("Cache-Control", "no-store");
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

  router.get("/api/auth/oauth/:provider/callback", publicRoute, async (req, res) => {
    const { params } = parseRequest(req, { params: providerParams });
    if (!oauth.isEnabled(params.provider)) throw notFound("Unknown or disabled sign-in provider");
    res.set("Cache-Control", "no-store");
    // The flow cookie is left to expire: it may bind another tab's sign-in, and alone it is worthless.
    const binding = readFlowCookie(config, req);
    const query = req.originalUrl.includes("?")
      ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1)
      : "";
    try {
      const issued = await oauth.complete(params.provider, query, binding, contextOf(req));
      setSessionCookie(config, res, issued.token, issued.absoluteExpiresAt);
      res.redirect(302, `${origin}/app`);
    } catch (error) {
      toLogin(req, res, error, params.provider);
    }
  });

  return router;
}
