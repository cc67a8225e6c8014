import { describe, expect, it } from "vitest";
import { buildOpenclawConfig, openclawConfigSchema, openclawControlUiBasePath } from "./openclaw.js";

describe("OpenClaw's Control UI behind Nora's gateway proxy", () => {
  const agentId = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

  it("serves the Control UI under the proxy's public path", () => {
    expect(openclawControlUiBasePath(agentId)).toBe(`/api/agents/${agentId}/gateway/ui`);
    const config = buildOpenclawConfig({
      providers: [],
      allowedOrigins: ["https://nora.example.org"],
      controlUiBasePath: openclawControlUiBasePath(agentId),
    });
    expect(config.gateway.controlUi).toEqual({
      allowedOrigins: ["https://nora.example.org"],
      basePath: `/api/agents/${agentId}/gateway/ui`,
    });
    expect(openclawConfigSchema.safeParse(config).success).toBe(true);
  });

  it("never writes the retired device-auth bypass (OpenClaw 2026.9.6 ignores it)", () => {
    const config = buildOpenclawConfig({ providers: [], allowedOrigins: [], controlUiBasePath: "/x" });
    expect(JSON.stringify(config)).not.toContain("dangerouslyDisableDeviceAuth");
    expect(
      openclawConfigSchema.safeParse({
        ...config,
        gateway: { ...config.gateway, controlUi: { allowedOrigins: [], dangerouslyDisableDeviceAuth: true } },
      }).success,
    ).toBe(false);
  });
});
