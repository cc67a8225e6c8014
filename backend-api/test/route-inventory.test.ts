import { ROUTES } from "@nora/api-contract";
import { describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp } from "./helpers.js";
import { inventory, type Layer, PUBLIC_ROUTES } from "./route-table.js";

describe("route inventory", () => {
  // The route list is the contract's table; contract-inventory.test.ts proves the app mounts exactly it.
  const ids = (kind: string) =>
    ROUTES.filter((r) => r.requirement.kind === kind).map((r) => `${r.method} ${r.path}`);

  it("only the listed routes are public; every /api/admin route is for platform admins", () => {
    expect(ROUTES.length).toBeGreaterThan(20);
    expect(ids("public").sort()).toEqual([...PUBLIC_ROUTES].sort());
    const adminRoutes = ROUTES.filter((r) => r.path.startsWith("/api/admin/"));
    expect(adminRoutes.length).toBeGreaterThan(0);
    for (const r of adminRoutes) expect(r.requirement.kind, `${r.method} ${r.path}`).toBe("platformAdmin");
  });

  it("every /api route of the app declares its authorization requirement", async () => {
    const app = await startTestApp({ env: NO_RATE_LIMITS });
    try {
      const { buildApp } = await import("../src/app.js");
      const express = buildApp({
        config: app.config,
        logger: app.logger,
        pool: app.db.pool,
        redis: app.redis,
      });
      const routes = inventory((express as unknown as { router: { stack: Layer[] } }).router.stack);
      expect(routes.length).toBeGreaterThan(20);
      const undeclared = routes.filter((r) => r.path.startsWith("/api") && !r.requirement);
      expect(undeclared).toEqual([]);
      const publicOnes = routes.filter((r) => r.requirement === "public").map((r) => `${r.method} ${r.path}`);
      expect(publicOnes.sort()).toEqual([...PUBLIC_ROUTES].sort());
    } finally {
      await app.close();
    }
  });

  it("notices a route that forgets its requirement", async () => {
    const { Router } = await import("express");
    const { buildApp } = await import("../src/app.js");
    const app = await startTestApp({ env: NO_RATE_LIMITS });
    try {
      const forgetful = Router().get("/api/agents/:agentId/secrets", (_req, res) => {
        res.json({});
      });
      const express = buildApp({
        config: app.config,
        logger: app.logger,
        pool: app.db.pool,
        redis: app.redis,
        extraRoutes: [forgetful],
      });
      const routes = inventory((express as unknown as { router: { stack: Layer[] } }).router.stack);
      expect(routes.filter((r) => !r.requirement)).toEqual([
        { method: "GET", path: "/api/agents/:agentId/secrets", requirement: undefined },
      ]);
    } finally {
      await app.close();
    }
  });
  it("every WebSocket stream of the door declares an agent requirement with a role and a key scope", async () => {
    const app = await startTestApp({ env: NO_RATE_LIMITS });
    try {
      const { createStreamDoor, STREAM_PATH_PREFIX } = await import("../src/ws/door.js");
      const { agentStreams } = await import("../src/ws/agent-streams.js");
      const { CONTROL_UI_SOCKET_PATH } = await import("../src/ws/gateway-stream.js");
      const door = createStreamDoor({
        config: app.config,
        logger: app.logger,
        domain: app.domain,
        streams: agentStreams(app.domain, app.config),
      });
      await door.close();
      expect(door.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
        "GET /api/agents/:agentId/gateway/ui",
        "GET /api/ws/agents/:agentId/gateway",
        "GET /api/ws/agents/:agentId/logs",
        "GET /api/ws/agents/:agentId/metrics",
        "GET /api/ws/agents/:agentId/terminal",
      ]);
      for (const route of door.routes) {
        // The Control UI opens its socket at its own base path; every other stream lives under /api/ws/.
        if (route.path !== CONTROL_UI_SOCKET_PATH)
          expect(route.path.startsWith(STREAM_PATH_PREFIX)).toBe(true);
        expect(route.requirement).toMatchObject({
          kind: "agent",
          role: expect.any(String),
          scope: expect.any(String),
        });
      }
    } finally {
      await app.close();
    }
  });
});
