import { badRequest } from "@nora/core";
import type { RequestHandler } from "express";

/** Query parameters that would carry a credential; a WebSocket URL lands in access logs and history. */
const CREDENTIAL_NAMES = new Set(["token", "access_token", "api_key", "apikey", "key", "authorization"]);

/** The names of the query's parameters that carry a credential (never their values). */
export function credentialsInQuery(search: string): string[] {
  const found: string[] = [];
  for (const [name, value] of new URLSearchParams(search)) {
    if (CREDENTIAL_NAMES.has(name.toLowerCase()) || value.startsWith("nora_")) found.push(name.slice(0, 40));
  }
  return found;
}

/**
 * Never a token in the URL: a stream's credentials travel in the cookie or the Authorization header.
 * A query that carries one is refused before anything else, and logged by parameter name only.
 */
export function refuseCredentialsInQuery(): RequestHandler {
  return (req, _res, next) => {
    const at = req.originalUrl.indexOf("?");
    const names = at < 0 ? [] : credentialsInQuery(req.originalUrl.slice(at + 1));
    if (names.length === 0) return next();
    req.log.warn({ parameters: names }, "stream upgrade refused: a credential in the query string");
    next(
      badRequest(
        "credential_in_url",
        "Credentials never go in a URL: send the session cookie or Authorization: Bearer nora_…",
      ),
    );
  };
}
