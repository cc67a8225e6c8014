import { Router } from "express";
import type { ReadinessService } from "./service.js";

export function healthRoutes(readiness: ReadinessService): Router {
  const router = Router();

  // Liveness: the process is up and serving. Says nothing about dependencies.
  router.get("/api/health", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });

  // Readiness: safe to send traffic. 503 names the dependency that failed, never why.
  router.get("/api/ready", async (req, res) => {
    const result = await readiness.check();
    res
      .status(result.ready ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({
        status: result.ready ? "ready" : "not_ready",
        checks: result.checks,
        ...(result.ready ? {} : { error: "not_ready", requestId: req.id }),
      });
  });

  return router;
}
