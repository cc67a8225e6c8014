import type { ReadinessService } from "@nora/domain/health/service";
import { Router } from "express";
import type { Requires } from "../http/authorize.js";

/** Mounted before authentication: probes must answer even when a caller's credentials are bad. */
export function healthRoutes(readiness: ReadinessService, requires: Requires): Router {
  const router = Router();
  const publicRoute = requires({ kind: "public" });

  // Liveness: the process is up and serving. Says nothing about dependencies.
  router.get("/api/health", publicRoute, (_req, res) => {
    res.json({ status: "ok" });
  });

  // Readiness: safe to send traffic. 503 names the dependency that failed, never why.
  router.get("/api/ready", publicRoute, async (req, res) => {
    const result = await readiness.check();
    res.status(result.ready ? 200 : 503).json({
      status: result.ready ? "ready" : "not_ready",
      checks: result.checks,
      ...(result.ready ? {} : { error: "not_ready", requestId: req.id }),
    });
  });

  return router;
}
