import { API } from "@nora/api-contract";
import type { ReadinessService } from "@nora/domain/health/service";
import { Router } from "express";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

/** Mounted before authentication: probes must answer even when a caller's credentials are bad. */
export function healthRoutes(readiness: ReadinessService, requires: Requires): Router {
  const router = Router();

  // Liveness: the process is up and serving. Says nothing about dependencies.
  mount(router, requires, API.health.health, (_req, _res, _input, reply) => {
    reply(200, { status: "ok" });
  });

  // Readiness: safe to send traffic. 503 names the dependency that failed, never why.
  mount(router, requires, API.health.ready, async (req, _res, _input, reply) => {
    const result = await readiness.check();
    if (result.ready) reply(200, { status: "ready", checks: result.checks });
    else reply(503, { status: "not_ready", checks: result.checks, error: "not_ready", requestId: req.id });
  });

  return router;
}
