import type { Config, Logger, Pool, Redis } from "@nora/core";
import express, { type Express, type Router } from "express";
import { corsPolicy } from "./http/cors.js";
import { errorHandler, notFoundHandler } from "./http/error-handler.js";
import { jsonBody } from "./http/json-body.js";
import { rateLimit } from "./http/rate-limit.js";
import { requestId } from "./http/request-id.js";
import { requestLogging } from "./http/request-logging.js";
import { securityHeaders } from "./http/security-headers.js";
import { healthRoutes } from "./modules/health/routes.js";
import { createReadinessService } from "./modules/health/service.js";

export interface AppDependencies {
  config: Config;
  logger: Logger;
  pool: Pool;
  /** A "command" role connection: fails fast when Redis is away. */
  redis: Redis;
  migrationsDir?: string;
  /** Extra routers mounted after the built-in ones (tests use this to add probe routes). */
  extraRoutes?: Router[];
}

/**
 * Builds the Express app without listening. Middleware order matters and is documented in
 * docs/security.md: rate limiting runs before body parsing so a throttled client costs no parse.
 */
export function buildApp(deps: AppDependencies): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.api.trustProxyHops);
  app.set("query parser", "simple");
  // API responses are live state, never cached; computing an ETag hash per response buys nothing.
  app.set("etag", false);

  app.use(requestId());
  app.use(requestLogging(logger));
  app.use(securityHeaders(config));
  app.use(corsPolicy(config));
  app.use(rateLimit({ config, redis: deps.redis, logger }));
  app.use(jsonBody(config));

  app.use(
    healthRoutes(
      createReadinessService({ pool: deps.pool, redis: deps.redis, migrationsDir: deps.migrationsDir }),
    ),
  );
  for (const router of deps.extraRoutes ?? []) app.use(router);

  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
