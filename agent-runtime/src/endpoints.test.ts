import { describe, expect, it } from "vitest";
import {
  AGENT_PORTS,
  RUNTIME_ROUTES,
  runtimeAuthHeaders,
  runtimeUrl,
  UNAUTHENTICATED_ROUTES,
} from "./endpoints.js";
import { RUNTIME_PORTS } from "./ports.js";

describe("endpoint conventions", () => {
  it("builds runtime URLs on the contract port, bracketing IPv6 literals", () => {
    expect(runtimeUrl("10.0.0.7", RUNTIME_ROUTES.info)).toBe("http://10.0.0.7:9090/info");
    expect(runtimeUrl("fd00::7", RUNTIME_ROUTES.health)).toBe("http://[fd00::7]:9090/health");
    expect(runtimeUrl("agent-1", "/healthz", RUNTIME_PORTS.openclawGateway)).toBe(
      "http://agent-1:18789/healthz",
    );
  });

  it("carries the token in a header and leaves only /health open", () => {
    expect(runtimeAuthHeaders("t0k")).toEqual({ authorization: "Bearer t0k" });
    expect(UNAUTHENTICATED_ROUTES).toEqual(["/health"]);
    expect(RUNTIME_PORTS).toEqual({
      contract: 9090,
      openclawGateway: 18789,
      hermesApi: 8642,
      hermesDashboard: 9119,
    });
  });

  it("gives each family its gateway, and Hermes its separate dashboard", () => {
    expect(AGENT_PORTS).toEqual({
      openclaw: { gateway: 18789, dashboard: null },
      hermes: { gateway: 8642, dashboard: 9119 },
    });
  });
});
